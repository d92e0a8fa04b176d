import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { nanpAreaCodeGeocode, timeZonesOf } from "./geo-data.js";
import { regionOf } from "./nanp-regions.js";
import { SPLIT_AREA_CODES } from "./split-area-codes.js";

/**
 * Where a number is, as far as the number itself tells.
 * - `country`: ISO 3166-1 alpha-2 from libphonenumber's full metadata; absent for numbers of no
 *   one country (e.g. +800 international freephone) or that it cannot parse.
 * - `region`: ISO 3166-2 ("US-FL", "CA-ON"), only for NANP (+1) numbers, from the area code.
 *   Area codes do not move with people (a Florida mobile number may live in Ohio), so a region
 *   is what the number says, not where the person is.
 * - `zones`: IANA time zones; several when the data cannot tell which, or when the number's NANP
 *   area code spans several (SPLIT_AREA_CODES); empty when unknown.
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
  const nanp = NANP_NUMBER.exec(e164);
  if (nanp) return nanpPlaceOf(e164, nanp[1] as string);
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed === undefined) return NOWHERE;
  return placeWith(
    parsed.number.slice(1),
    parsed.country,
    parsed.countryCallingCode === "1" ? parsed.nationalNumber.slice(0, 3) : undefined,
  );
}

/** A NANP number as E.164: +1, then the area code (group 1) and seven digits. */
const NANP_NUMBER = /^\+1([2-9]\d\d)\d{7}$/;

/**
 * The country of each NANP area code seen so far. In the North American Numbering Plan an area
 * code belongs to one country or territory, and libphonenumber decides a +1 number's country by
 * it; parsing every number again costs most of a guard's check (~17 µs), so the answer for an
 * area code is kept once a number of it gave one (an invalid number gives none). At most 800
 * area codes exist.
 */
const nanpCountries = new Map<string, string>();

function nanpPlaceOf(e164: string, areaCode: string): RecipientPlace {
  let country = nanpCountries.get(areaCode);
  if (country === undefined) {
    const parsed = parsePhoneNumberFromString(e164);
    if (parsed === undefined) return NOWHERE;
    country = parsed.country;
    if (country !== undefined) nanpCountries.set(areaCode, country);
  }
  return placeWith(e164.slice(1), country, areaCode);
}

function placeWith(digits: string, country: string | undefined, nanpAreaCode: string | undefined): RecipientPlace {
  const known = timeZonesOf(digits);
  const split = nanpAreaCode === undefined || known.length === 0 ? undefined : SPLIT_AREA_CODES[nanpAreaCode];
  const zones = split === undefined ? known : [...new Set([...known, ...split])];
  const description = nanpAreaCode === undefined ? undefined : nanpAreaCodeGeocode(nanpAreaCode);
  const region = description === undefined ? undefined : regionOf(description, country);
  return {
    ...(country === undefined ? {} : { country }),
    ...(region === undefined ? {} : { region }),
    zones,
  };
}
