import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { nanpAreaCodeGeocode, timeZonesOf } from "./geo-data.js";
import { regionOf } from "./nanp-regions.js";

/**
 * Where a number is, as far as the number itself tells.
 * - `country`: ISO 3166-1 alpha-2 from libphonenumber's full metadata; absent for numbers of no
 *   one country (e.g. +800 international freephone) or that it cannot parse.
 * - `region`: ISO 3166-2 ("US-FL", "CA-ON"), only for NANP (+1) numbers, from the area code.
 *   Area codes do not move with people (a Florida mobile number may live in Ohio), so a region
 *   is what the number says, not where the person is.
 * - `zones`: IANA time zones; several when the data cannot tell which; empty when unknown.
 */
export interface RecipientPlace {
  readonly country?: string;
  readonly region?: string;
  readonly zones: readonly string[];
}

const NOWHERE: RecipientPlace = Object.freeze({ zones: Object.freeze([]) });

/**
 * The place of an E.164 number ("+13055550123"). Pure apart from reading the library's data
 * files once (the first +1 number reads the 830 KB NANP geocodes); a text that is not a number
 * gives an empty place rather than an error.
 */
export function placeOf(e164: string): RecipientPlace {
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) return NOWHERE;
  const zones = timeZonesOf(parsed.number.slice(1));
  const country = parsed.country;
  const description = parsed.countryCallingCode === "1" ? nanpAreaCodeGeocode(parsed.nationalNumber.slice(0, 3)) : undefined;
  const region = description === undefined ? undefined : regionOf(description, country);
  return {
    ...(country === undefined ? {} : { country }),
    ...(region === undefined ? {} : { region }),
    zones,
  };
}
