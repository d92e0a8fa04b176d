/**
 * The one clean-up every phone text gets before the strict parse (`normalizePhone`). Address
 * books, CRMs and SOAP payloads hand us numbers with characters that are not part of the number
 * (invisible marks, exotic spaces, a bracketed country code) or that are the number written in
 * another script. libphonenumber's strict mode (`extract: false`) refuses most of these, so
 * they are removed or folded here, and only then is the number validated as strictly as before.
 *
 * Removed: every format character (Unicode general category Cf: bidi marks and embeddings
 * U+200E/U+200F/U+202A–U+202E/U+2066–U+2069, zero-width space and joiners, the BOM U+FEFF, the
 * soft hyphen, invisible operators), and a leading `tel:`.
 * Folded to a space: every space separator (Zs: NBSP, narrow NBSP, figure space, ideographic
 * space...), the line and paragraph separators (Zl U+2028, Zp U+2029) and ASCII control whitespace.
 * Folded to ASCII: compatibility forms (NFKC: fullwidth digits, plus signs and brackets),
 * decimal digits of any script (Nd: Arabic-Indic, Devanagari, mathematical...), and the plus
 * sign's variants.
 * Unwrapped: a bracketed country code in front, `(+66)`, `[+44]`, `{+1}`, `（＋４４）`, becomes `+66`.
 */
export function cleanPhoneText(text: string): string {
  const folded = foldPhoneCharacters(text)
    .trim()
    .replace(/^tel:\s*/i, "");
  return folded.replace(BRACKETED_COUNTRY_CODE, (_whole, code: string) => `+${code} `).trim();
}

/**
 * The character folding of cleanPhoneText, for any text (masking uses it, so a number the
 * ingest would read is also a number the masks hide): compatibility forms first (Unicode NFKC:
 * fullwidth digits, plus signs and brackets become ASCII), then format characters removed,
 * separators to a space, digits of any script to ASCII, the remaining plus variants to `+`.
 */
export function foldPhoneCharacters(text: string): string {
  // Printable ASCII is NFKC-stable and holds none of the characters below (its only space is
  // the plain one): most numbers and messages skip the Unicode passes.
  if (PRINTABLE_ASCII.test(text)) return text;
  return text
    .normalize("NFKC")
    .replace(FORMAT_CHARACTERS, "")
    .replace(SEPARATORS, " ")
    .replace(DECIMAL_DIGIT, (digit) => String(decimalDigitValue(digit.codePointAt(0) as number)))
    .replace(PLUS_VARIANTS, "+");
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Unicode general category Cf: characters that only steer rendering and are never part of a number. */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/** Zs, Zl, Zp and the ASCII/Latin-1 whitespace controls: all just "a gap" between digit groups. */
const SEPARATORS = /[\p{Zs}\p{Zl}\p{Zp}\t\n\v\f\r\u0085]/gu;

/** Unicode general category Nd other than ASCII 0-9. */
const DECIMAL_DIGIT = /(?![0-9])\p{Nd}/gu;

/**
 * Characters named "PLUS SIGN" that people paste in front of a country code: fullwidth
 * (U+FF0B), small (U+FE62), heavy (U+2795), superscript (U+207A), subscript (U+208A), modifier
 * letter (U+02D6) and the Hebrew alternative plus sign (U+FB29). The invisible plus (U+2064) is
 * Cf and is removed with the other format characters.
 */
const PLUS_VARIANTS = /[\uFF0B\uFE62\u2795\u207A\u208A\u02D6\uFB29]/gu;

/** `(+44)`, `[+44]`, `{+44}` in front: a country calling code is 1 to 3 digits and never starts with 0. */
const BRACKETED_COUNTRY_CODE = /^[([{]\s*\+\s*([1-9]\d{0,2})\s*[)\]}]\s*/;

/**
 * The value of a decimal digit of any script. Unicode encodes every set of decimal digits
 * (Numeric_Type=Decimal, i.e. category Nd) as a contiguous run 0..9 in ascending order, and runs
 * that touch (the mathematical digits U+1D7CE–U+1D7FF are five runs) each hold all ten; so a
 * digit's value is its distance from the first digit of its block of Nd characters, modulo 10.
 */
export function decimalDigitValue(codePoint: number): number {
  let start = codePoint;
  while (IS_DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return (codePoint - start) % 10;
}

const IS_DECIMAL_DIGIT = /^\p{Nd}$/u;
