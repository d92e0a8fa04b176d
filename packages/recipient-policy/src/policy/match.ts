import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { NANP_REGIONS } from "../place/nanp-regions.js";
import { strictObject } from "./strict-object.js";

/**
 * Regions with an ISO 3166-2 code that `placeOf` never gives a number, so a match on one would
 * never apply, and what to match instead. The US territories have NANP area codes but country
 * codes of their own (a Puerto Rico number is country PR, with no region); some Canadian area
 * codes serve more than one province or territory, so their numbers get no region.
 */
const territory = (name: string, country: string) =>
  `never matches: numbers of ${name} have country ${country} and no region; use country: ${country} instead`;
const SHARED_902 =
  "never matches: area codes 902 and 782 serve both Nova Scotia and Prince Edward Island, so their numbers have no region; use country: CA for all of Canada";
const SHARED_867 =
  "never matches: area code 867 serves all three territories, so their numbers have no region; use country: CA for all of Canada";
const NEVER_PLACED: ReadonlyMap<string, string> = new Map([
  ["US-PR", territory("Puerto Rico", "PR")],
  ["US-GU", territory("Guam", "GU")],
  ["US-VI", territory("the U.S. Virgin Islands", "VI")],
  ["US-AS", territory("American Samoa", "AS")],
  ["US-MP", territory("the Northern Mariana Islands", "MP")],
  ["CA-NS", SHARED_902],
  ["CA-PE", SHARED_902],
  ["CA-NT", SHARED_867],
  ["CA-NU", SHARED_867],
  ["CA-YT", SHARED_867],
]);

/** Regions a match may name: every one is what `placeOf` gives some +1 numbers. */
export const MATCHABLE_REGIONS: ReadonlySet<string> = new Set([...NANP_REGIONS].filter((region) => !NEVER_PLACED.has(region)));

/** One value or a list of them; always a list once parsed. */
function oneOrMany<T extends z.ZodType<string>>(item: T) {
  return z
    .union([item, z.array(item).min(1, "must list at least one value")])
    .transform((value) => (Array.isArray(value) ? value : [value]));
}

const Country = z.string().refine((code) => isSupportedCountry(code), "must be an ISO 3166-1 alpha-2 country code such as US or GB");
const Region = z.string().superRefine((region, ctx) => {
  if (MATCHABLE_REGIONS.has(region)) return;
  ctx.addIssue({
    code: "custom",
    message:
      NEVER_PLACED.get(region) ?? 'must be a US or Canadian region such as "US-FL" or "CA-ON": regions are known only for +1 numbers',
  });
});

/** A region's country is its prefix ("CA-ON" is in CA): a number's region is always in its own country. */
function countryOfRegion(region: string): string {
  return region.slice(0, region.indexOf("-"));
}

/** Which requests an override is for: every key given must match (each a value or a list of them). */
export const Match = strictObject({
  country: oneOrMany(Country).optional(),
  region: oneOrMany(Region).optional(),
  campaign: oneOrMany(z.string().min(1)).optional(),
  route: oneOrMany(z.string().min(1)).optional(),
})
  .refine(
    (match) => Object.values(match).some((value) => value !== undefined),
    "must give at least one of country, region, campaign, route",
  )
  .superRefine(({ country, region }, ctx) => {
    if (country === undefined || region === undefined) return;
    const countries: readonly string[] = country;
    if (region.some((one) => countries.includes(countryOfRegion(one)))) return;
    ctx.addIssue({
      code: "custom",
      path: ["region"],
      message: `never matches together with country ${country.join(", ")}: ${region.map((one) => `${one} is in ${countryOfRegion(one)}`).join(", ")}, and a number's region is always in its own country`,
    });
  });
export type Match = z.infer<typeof Match>;
