/**
 * ISO 3166-2 subdivisions a NANP area code can be placed in: US states, DC and the inhabited
 * territories, and Canadian provinces and territories. The postal abbreviations are the ISO
 * 3166-2 suffixes in both countries. Names are spelled as the geocoding data spells them
 * ("Washington State", "Washington D.C.", "Quebec", and "British Colombia" besides the right
 * spelling). Area codes the data shares between provinces ("Nova Scotia/Prince Edward Island",
 * "Northwest Territories/Nunavut/Yukon") have no single region and get none.
 */
const US: readonly (readonly [string, string])[] = [
  ["AL", "Alabama"],
  ["AK", "Alaska"],
  ["AZ", "Arizona"],
  ["AR", "Arkansas"],
  ["CA", "California"],
  ["CO", "Colorado"],
  ["CT", "Connecticut"],
  ["DE", "Delaware"],
  ["DC", "Washington D.C."],
  ["FL", "Florida"],
  ["GA", "Georgia"],
  ["HI", "Hawaii"],
  ["ID", "Idaho"],
  ["IL", "Illinois"],
  ["IN", "Indiana"],
  ["IA", "Iowa"],
  ["KS", "Kansas"],
  ["KY", "Kentucky"],
  ["LA", "Louisiana"],
  ["ME", "Maine"],
  ["MD", "Maryland"],
  ["MA", "Massachusetts"],
  ["MI", "Michigan"],
  ["MN", "Minnesota"],
  ["MS", "Mississippi"],
  ["MO", "Missouri"],
  ["MT", "Montana"],
  ["NE", "Nebraska"],
  ["NV", "Nevada"],
  ["NH", "New Hampshire"],
  ["NJ", "New Jersey"],
  ["NM", "New Mexico"],
  ["NY", "New York"],
  ["NC", "North Carolina"],
  ["ND", "North Dakota"],
  ["OH", "Ohio"],
  ["OK", "Oklahoma"],
  ["OR", "Oregon"],
  ["PA", "Pennsylvania"],
  ["RI", "Rhode Island"],
  ["SC", "South Carolina"],
  ["SD", "South Dakota"],
  ["TN", "Tennessee"],
  ["TX", "Texas"],
  ["UT", "Utah"],
  ["VT", "Vermont"],
  ["VA", "Virginia"],
  ["WA", "Washington State"],
  ["WV", "West Virginia"],
  ["WI", "Wisconsin"],
  ["WY", "Wyoming"],
  ["AS", "American Samoa"],
  ["GU", "Guam"],
  ["MP", "Northern Mariana Islands"],
  ["PR", "Puerto Rico"],
  ["VI", "U.S. Virgin Islands"],
];

const CANADA: readonly (readonly [string, string])[] = [
  ["AB", "Alberta"],
  ["BC", "British Columbia"],
  ["MB", "Manitoba"],
  ["NB", "New Brunswick"],
  ["NL", "Newfoundland and Labrador"],
  ["NS", "Nova Scotia"],
  ["NT", "Northwest Territories"],
  ["NU", "Nunavut"],
  ["ON", "Ontario"],
  ["PE", "Prince Edward Island"],
  ["QC", "Quebec"],
  ["SK", "Saskatchewan"],
  ["YT", "Yukon"],
];

/** US territories have country codes of their own, and ISO 3166-2 lists them under US too. */
const US_TERRITORIES = new Set(["AS", "GU", "MP", "PR", "VI"]);

const byAbbreviation = new Map<string, string>([
  ...US.map(([abbreviation]) => [abbreviation, `US-${abbreviation}`] as const),
  ...CANADA.map(([abbreviation]) => [abbreviation, `CA-${abbreviation}`] as const),
]);
const byName = new Map<string, string>([
  ...US.map(([abbreviation, name]) => [name, `US-${abbreviation}`] as const),
  ...CANADA.map(([abbreviation, name]) => [name, `CA-${abbreviation}`] as const),
  ["British Colombia", "CA-BC"],
]);

/** Every region `regionOf` can give (e.g. "US-FL", "CA-ON"): what policy files may match on. */
export const NANP_REGIONS: ReadonlySet<string> = new Set(byAbbreviation.values());

/**
 * The ISO 3166-2 region of a NANP area code's geocode: a state or province name ("Florida") or
 * "City, XX" ("New York, NY"). Undefined for a name not in the tables, or a region of another
 * country than the one libphonenumber gives the number (`country`, ISO 3166-1 alpha-2).
 */
export function regionOf(description: string, country: string | undefined): string | undefined {
  const city = /, ([A-Z]{2})$/.exec(description);
  const region = city?.[1] === undefined ? byName.get(description) : byAbbreviation.get(city[1]);
  if (region === undefined || country === undefined) return undefined;
  const [regionCountry, subdivision] = region.split("-") as [string, string];
  if (regionCountry === country) return region;
  return regionCountry === "US" && US_TERRITORIES.has(subdivision) && country === subdivision ? region : undefined;
}
