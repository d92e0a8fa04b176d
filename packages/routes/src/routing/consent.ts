/** Strings that mean yes, compared trimmed and lower-cased. */
const YES = new Set(["true", "yes", "y", "1", "on", "opted_in", "granted"]);

/**
 * Whether a consent field's value means yes: boolean `true`, the number `1`, or a string that,
 * trimmed and lower-cased, is `true`, `yes`, `y`, `1`, `on`, `opted_in` or `granted` (CRMs send
 * checkboxes as `"true"`, Salesforce Outbound Messages send every value as text). Anything else
 * is no: a missing field, null, an empty string, `false`, `0`, `"no"`, an object or a list.
 * Deliberately narrow: a value we cannot read as yes is not consent.
 */
export function consentGiven(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value === 1;
  if (typeof value === "string") return YES.has(value.trim().toLowerCase());
  return false;
}
