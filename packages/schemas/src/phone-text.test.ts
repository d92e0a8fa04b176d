import { describe, expect, it } from "vitest";
import { cleanPhoneText, decimalDigitValue } from "./phone-text.js";

describe("cleanPhoneText", () => {
  it.each([
    // Format characters (Cf) are removed wherever they stand.
    ["LTR override ... pop directional formatting around the number", "\u202D+1 (415) 555-0101\u202C", "+1 (415) 555-0101"],
    ["a leading left-to-right mark", "\u200E+1 (415) 555-0101", "+1 (415) 555-0101"],
    ["fullwidth brackets, plus and digits around a country code", "（＋４４） ２０ ７９４６ ０９６１", "+44 20 7946 0961"],
    ["a fullwidth hyphen between groups", "415－555－0101", "415-555-0101"],
    ["a leading right-to-left mark", "\u200F+1 (415) 555-0101", "+1 (415) 555-0101"],
    ["first-strong isolate ... pop directional isolate", "\u2068+1 415 555 0101\u2069", "+1 415 555 0101"],
    ["a zero-width space in front", "\u200B+1 415 555 0101", "+1 415 555 0101"],
    ["a zero-width space between digit groups", "+1 415\u200B555 0101", "+1 415555 0101"],
    ["a byte order mark in front", "\uFEFF+1 415 555 0101", "+1 415 555 0101"],
    ["a zero-width joiner and non-joiner", "+1\u200D415\u200C5550101", "+14155550101"],
    ["a soft hyphen", "415\u00AD555\u00AD0101", "4155550101"],
    ["a word joiner and the invisible plus", "\u2064+1\u2060415 555 0101", "+1415 555 0101"],
    ["the Arabic letter mark", "\u061C+1 415 555 0101", "+1 415 555 0101"],
    // Separators are folded to a space.
    ["no-break spaces", "+1\u00A0415\u00A0555\u00A00101", "+1 415 555 0101"],
    ["narrow no-break and figure spaces", "+1\u202F415\u2007555 0101", "+1 415 555 0101"],
    ["an ideographic space", "+1\u3000415 555 0101", "+1 415 555 0101"],
    ["a line separator", "+1\u2028415 555 0101", "+1 415 555 0101"],
    ["a paragraph separator at the end", "+1 415 555 0101\u2029", "+1 415 555 0101"],
    ["a tab and a next-line control", "+1\t415\u0085555 0101", "+1 415 555 0101"],
    ["ASCII control whitespace in otherwise plain ASCII", "+1\t415\n555\r0101", "+1 415 555 0101"],
    // Digits of other scripts are folded to ASCII.
    ["Arabic-Indic digits", "+١ ٤١٥ ٥٥٥ ٠١٠١", "+1 415 555 0101"],
    ["Extended Arabic-Indic (Persian) digits", "۰۲۱ ۸۸۷۷ ۶۶۵۵", "021 8877 6655"],
    ["Devanagari digits", "+९१ ९८७६५ ४३२१०", "+91 98765 43210"],
    ["Thai digits", "๐๘๙ ๙๐๐ ๙๐๐๐", "089 900 9000"],
    ["fullwidth digits and plus", "＋１ ４１５ ５５５ ０１０１", "+1 415 555 0101"],
    ["mathematical bold and double-struck digits (astral)", "+𝟏 𝟒𝟏𝟓 𝟝𝟝𝟝 𝟘𝟙𝟘𝟙", "+1 415 555 0101"],
    // Plus sign variants are folded to '+'.
    ["a fullwidth plus", "\uFF0B44 20 7946 0958", "+44 20 7946 0958"],
    ["a heavy plus", "\u279544 20 7946 0958", "+44 20 7946 0958"],
    ["a small plus", "\uFE6244 20 7946 0958", "+44 20 7946 0958"],
    ["a superscript plus", "\u207A44 20 7946 0958", "+44 20 7946 0958"],
    // A bracketed country code in front is unwrapped.
    ["(+66) with no space after it", "(+66)89-900-9000", "+66 89-900-9000"],
    ["(+44) followed by a space", "(+44) 20 7946 0958", "+44 20 7946 0958"],
    ["[+44] in square brackets", "[+44] 20 7946 0958", "+44 20 7946 0958"],
    ["{+1} in braces", "{+1}415 555 0101", "+1 415 555 0101"],
    ["( + 44 ) with spaces inside", "( + 44 ) 20 7946 0958", "+44 20 7946 0958"],
    ["a fullwidth (＋44) behind a mark", "\u200E(\uFF0B44) 20 7946 0958", "+44 20 7946 0958"],
    // tel: and outer whitespace, as before.
    ["a tel: URI", "tel:+14155550142", "+14155550142"],
    ["a TEL: URI behind a BOM", "\uFEFFTEL: +14155550142", "+14155550142"],
    ["outer whitespace", "  +1 415 555 0142\n", "+1 415 555 0142"],
  ])("%s", (_why, text, expected) => {
    expect(cleanPhoneText(text)).toBe(expected);
  });

  it.each([
    ["a number already clean", "+14155550142"],
    ["a national number in brackets (not a country code)", "(415) 555-0142"],
    ["a bracket that holds a trunk prefix, not a country code", "+44 (0)20 7946 0958"],
    ["a bracketed plus that holds four digits", "(+4420) 7946 0958"],
    ["a bracketed code starting with 0", "(+044) 20 7946 0958"],
    ["letters", "1-800-FLOWERS"],
    ["an extension", "+1 415 555 0142 ext 9"],
    ["an empty string", ""],
  ])("leaves %s alone", (_why, text) => {
    expect(cleanPhoneText(text)).toBe(text);
  });
});

describe("decimalDigitValue", () => {
  it.each([
    ["ASCII 0", "0", 0],
    ["ASCII 9", "9", 9],
    ["Arabic-Indic seven", "٧", 7],
    ["Devanagari five", "५", 5],
    ["fullwidth three", "３", 3],
    ["mathematical bold zero (first run of a block of five)", "𝟎", 0],
    ["mathematical double-struck one (second run)", "𝟙", 1],
    ["mathematical monospace nine (last run)", "𝟿", 9],
    ["Adlam eight (astral)", "𞥘", 8],
  ])("%s", (_why, digit, value) => {
    expect(decimalDigitValue(digit.codePointAt(0) as number)).toBe(value);
  });
});
