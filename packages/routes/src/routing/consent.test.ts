import { describe, expect, it } from "vitest";
import { consentGiven } from "./consent.js";

describe("consentGiven", () => {
  it.each([
    ["boolean true", true],
    ["the number 1", 1],
    ['"true"', "true"],
    ['"TRUE" (any case)', "TRUE"],
    ['"True" padded with spaces', "  True \n"],
    ['"yes"', "yes"],
    ['"Yes"', "Yes"],
    ['"y"', "y"],
    ['"Y"', "Y"],
    ['"1"', "1"],
    ['" 1 "', " 1 "],
    ['"on" (an HTML checkbox)', "on"],
    ['"opted_in"', "opted_in"],
    ['"OPTED_IN"', "OPTED_IN"],
    ['"granted"', "granted"],
  ])("%s is yes", (_why, value) => {
    expect(consentGiven(value)).toBe(true);
  });

  it.each([
    ["a missing field", undefined],
    ["null", null],
    ["boolean false", false],
    ["an empty string", ""],
    ["a blank string", "   "],
    ['"false"', "false"],
    ['"no"', "no"],
    ['"n"', "n"],
    ['"0"', "0"],
    ['"off"', "off"],
    ['"opted_out"', "opted_out"],
    ['"denied"', "denied"],
    ['"yes please" (not exactly yes)', "yes please"],
    ['"opted in" (a space, not an underscore)', "opted in"],
    ['"tru"', "tru"],
    ["the number 0", 0],
    ["the number 2", 2],
    ["the number 1.5", 1.5],
    ["NaN", Number.NaN],
    ["an object such as a Pipedrive option", { type: "enum", id: 1 }],
    ["an object holding true", { value: true }],
    ["a list holding true", [true]],
    ["a list holding yes", ["yes"]],
  ])("%s is no", (_why, value) => {
    expect(consentGiven(value)).toBe(false);
  });
});
