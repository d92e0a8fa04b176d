import { describe, expect, it } from "vitest";
import { sameValue, whenHolds } from "./when.js";

describe("sameValue: a `when` value against an event's value", () => {
  it.each([
    // Booleans and their text forms, both ways.
    [true, true, true],
    [true, "true", true],
    [true, "True", true],
    [true, " TRUE ", true],
    [false, "false", true],
    [false, "FALSE", true],
    ["true", true, true],
    ["True", true, true],
    ["false", false, true],
    ["true", "True", true],
    ["true", " true\n", true],
    [true, false, false],
    [true, "false", false],
    [true, "yes", false],
    [true, "1", false],
    [true, 1, false],
    [false, "", false],
    [false, null, false],
    [false, undefined, false],
    ["true", false, false],
    ["true", "yes", false],
    ["true", 1, false],
    ["false", undefined, false],
    // Numbers and plain decimal text of the same value, both ways.
    [5, 5, true],
    [5, "5", true],
    [5, " 5 ", true],
    [5, "5.0", true],
    [2.5, "2.50", true],
    [-3, "-3", true],
    [0, "0", true],
    [62515, "62515", true],
    ["5", 5, true],
    ["5.0", 5, true],
    [" 42 ", 42, true],
    [5, 6, false],
    [5, "6", false],
    [5, "05", false],
    [5, "+5", false],
    [5, "5e0", false],
    [5, "0x5", false],
    [5, "5 calls", false],
    [5, "", false],
    [0, "", false],
    [0, false, false],
    [1, true, false],
    ["05", 5, false],
    ["five", 5, false],
    // Other strings: exact, case and spaces included; two number texts compare as text.
    ["call.requested", "call.requested", true],
    ["Lead", "lead", false],
    ["Lead", " Lead", false],
    ["5", "5.0", false],
    ["mobile", undefined, false],
    // null matches null only.
    [null, null, true],
    [null, undefined, false],
    [null, "null", false],
    [null, "", false],
    [null, false, false],
    [null, 0, false],
    // Objects and lists in the event are never equal to a scalar.
    ["true", { value: "true" }, false],
    [5, [5], false],
  ] as const)("%j against %j: %s", (expected, actual, same) => {
    expect(sameValue(expected, actual)).toBe(same);
  });
});

describe("whenHolds", () => {
  it.each([
    ["an empty when", {}, { anything: 1 }, true],
    ["every condition holding", { type: "x", "data.n": 3 }, { type: "x", data: { n: "3" } }, true],
    ["one condition failing", { type: "x", "data.n": 3 }, { type: "x", data: { n: "4" } }, false],
    ["a list with a text form", { flag: [true, "yes"] }, { flag: "TRUE" }, true],
    ["a list with a number's text", { stage: [1, 2] }, { stage: "2" }, true],
    ["a list none of which matches", { stage: [1, 2] }, { stage: "3" }, false],
    ["{exists: true} on a present value", { owner: { exists: true } }, { owner: "" }, true],
    ["{exists: true} on null", { owner: { exists: true } }, { owner: null }, false],
    ["{exists: false} on an absent value", { owner: { exists: false } }, {}, true],
    ["{exists: false} on a present value", { owner: { exists: false } }, { owner: 0 }, false],
  ] as const)("%s: %s", (_why, when, fields, holds) => {
    expect(whenHolds(when, fields)).toBe(holds);
  });
});
