import { valueAt } from "./field-path.js";

type WhenScalar = string | number | boolean | null;
/** A route's or an opt-out's `when`, as the routes file schema gives it. */
type When = Readonly<Record<string, WhenScalar | readonly WhenScalar[] | { readonly exists: boolean }>>;

/** Whether every condition of a `when` holds for an event's fields (an empty `when` always holds). */
export function whenHolds(when: When, fields: unknown): boolean {
  for (const path of Object.keys(when)) {
    const expected = when[path] as When[string];
    const actual = valueAt(fields, path);
    const holds =
      typeof expected !== "object" || expected === null
        ? sameValue(expected, actual)
        : "exists" in expected
          ? (actual !== undefined && actual !== null) === expected.exists
          : expected.some((option) => sameValue(option, actual));
    if (!holds) return false;
  }
  return true;
}

/**
 * Whether an event's value equals a `when` value, its text form included: CRMs send checkboxes
 * and numbers as text (Salesforce sends every value as text) or as JSON booleans and numbers,
 * and an opt-out that misses `true` because the file says `"true"` leaves a person callable.
 * - A boolean and a boolean word ("true"/"false", trimmed, any case) are the same; so are two
 *   boolean words ("True" and "true").
 * - A number and a plain decimal text of the same value ("5", " 5 ", "5.0", "-2.50") are the
 *   same. Not "05", "+5", "5e0" or "0x5": such text is a code, not a number someone wrote.
 * - Other strings compare exactly (case and spaces count); null matches null only.
 */
export function sameValue(expected: WhenScalar, actual: unknown): boolean {
  if (expected === actual) return true;
  const expectedBoolean = booleanOf(expected);
  if (expectedBoolean !== undefined) return expectedBoolean === booleanOf(actual);
  if (typeof expected === "number") return typeof actual === "string" && numberOf(actual) === expected;
  if (typeof expected === "string" && typeof actual === "number") return numberOf(expected) === actual;
  return false;
}

function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const word = value.trim().toLowerCase();
  return word === "true" ? true : word === "false" ? false : undefined;
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** The number a plain decimal text says, or undefined for any other text. */
function numberOf(text: string): number | undefined {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : undefined;
}
