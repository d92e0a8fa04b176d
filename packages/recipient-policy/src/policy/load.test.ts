import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_RECIPIENT_POLICY } from "./effective.js";
import { isRecipientPolicyText, type LoadPolicyResult, loadRecipientPolicy, parseRecipientPolicy } from "./load.js";

const EXAMPLE = fileURLToPath(new URL("../../../../config/recipient-policy.example.yaml", import.meta.url));
const FILE = "/etc/callbridge/recipient-policy.yaml";
const HEAD = "kind: recipient-policy\nversion: 1\n";

function problemsOf(result: LoadPolicyResult): string[] {
  if (result.ok) throw new Error("expected the policy to be refused");
  return result.problems;
}

function policyOf(result: LoadPolicyResult) {
  if (!result.ok) throw new Error(`expected the policy to load:\n${result.problems.join("\n")}`);
  return result.policy;
}

describe("the shipped example policy", () => {
  it("loads: the federal default and a stricter Florida override", () => {
    const policy = policyOf(loadRecipientPolicy(EXAMPLE));
    expect(policy.calling_window.hours).toEqual([{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "21:00" }]);
    expect(policy.overrides.map((o) => [o.name, o.match.region, o.calling_window?.hours?.[0]?.to])).toEqual([
      ["us-florida-example", ["US-FL"], "20:00"],
    ]);
  });

  it("sets the defaults explicitly: without its overrides it is the policy that applies with no file", () => {
    expect({ ...policyOf(loadRecipientPolicy(EXAMPLE)), overrides: [] }).toEqual(DEFAULT_RECIPIENT_POLICY);
  });
});

describe("defaults", () => {
  it("fills every field of a file that gives only kind and version", () => {
    expect(policyOf(parseRecipientPolicy(HEAD, FILE))).toEqual({
      kind: "recipient-policy",
      version: 1,
      calling_window: {
        hours: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "08:00", to: "21:00" }],
        holidays: [],
        jitter_minutes: 10,
      },
      testing_bypasses_window: false,
      unknown_time_zone: "suppress",
      frequency_cap: { max_calls: 3, per_hours: 24, over_cap: "defer" },
      cooldown_minutes: 0,
      overrides: [],
    });
  });

  it("fills the fields a partial section leaves out", () => {
    const policy = policyOf(
      parseRecipientPolicy(`${HEAD}calling_window: { holidays: ["2026-12-25"] }\nfrequency_cap: { max_calls: 5 }\n`, FILE),
    );
    expect(policy.calling_window).toEqual({
      hours: DEFAULT_RECIPIENT_POLICY.calling_window.hours,
      holidays: ["2026-12-25"],
      jitter_minutes: 10,
    });
    expect(policy.frequency_cap).toEqual({ max_calls: 5, per_hours: 24, over_cap: "defer" });
  });

  it("takes one value or a list in a match, a list once parsed", () => {
    const policy = policyOf(
      parseRecipientPolicy(`${HEAD}overrides:\n  - { name: a, match: { country: US, campaign: [c1, c2] }, cooldown_minutes: 5 }\n`, FILE),
    );
    expect(policy.overrides[0]?.match).toEqual({ country: ["US"], campaign: ["c1", "c2"] });
  });
});

/** Files refused, each with (the start of) one of its problems. */
const REFUSED: [string, string, string][] = [
  [
    "an unknown key, with the keys that are allowed",
    `${HEAD}calling_windows: {}\n`,
    `${FILE}: calling_windows: unknown key; the keys here are kind, version,`,
  ],
  [
    "an unknown key deep down",
    `${HEAD}frequency_cap: { max: 3 }\n`,
    `${FILE}: frequency_cap.max: unknown key; the keys here are max_calls, per_hours, over_cap`,
  ],
  ["no kind", "version: 1\n", `${FILE}: kind: must be "recipient-policy"`],
  ["another version", "kind: recipient-policy\nversion: 2\n", `${FILE}: version: must be 1`],
  [
    "a bad time",
    `${HEAD}calling_window: { hours: [ { days: [mon], from: "8am", to: "21:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].from: must be a local time "HH:MM" or "HH:MM:SS"`,
  ],
  [
    "a time past the day",
    `${HEAD}calling_window: { hours: [ { days: [mon], from: "08:00", to: "25:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].to: must be a local time`,
  ],
  [
    "to not after from",
    `${HEAD}calling_window: { hours: [ { days: [mon], from: "21:00", to: "08:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].to: must be later than from (21:00)`,
  ],
  [
    "to equal to from",
    `${HEAD}calling_window: { hours: [ { days: [mon], from: "08:00", to: "08:00:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].to: must be later than from (08:00)`,
  ],
  [
    "a bad day",
    `${HEAD}calling_window: { hours: [ { days: [monday], from: "08:00", to: "21:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].days[0]: must be a day: mon, tue`,
  ],
  [
    "no days",
    `${HEAD}calling_window: { hours: [ { days: [], from: "08:00", to: "21:00" } ] }\n`,
    `${FILE}: calling_window.hours[0].days: must name at least one day`,
  ],
  ["an empty hours list", `${HEAD}calling_window: { hours: [] }\n`, `${FILE}: calling_window.hours: needs at least one row`],
  [
    "a bad date",
    `${HEAD}calling_window: { holidays: ["25.12.2026"] }\n`,
    `${FILE}: calling_window.holidays[0]: must be a local date "YYYY-MM-DD"`,
  ],
  [
    "a date not in the calendar",
    `${HEAD}calling_window: { holidays: ["2026-02-30"] }\n`,
    `${FILE}: calling_window.holidays[0]: is not a date in the calendar`,
  ],
  [
    "jitter in fractions",
    `${HEAD}calling_window: { jitter_minutes: 2.5 }\n`,
    `${FILE}: calling_window.jitter_minutes: must be whole minutes`,
  ],
  ["a bad over_cap", `${HEAD}frequency_cap: { over_cap: drop }\n`, `${FILE}: frequency_cap.over_cap: must be "defer" or "suppress"`],
  ["a negative cap", `${HEAD}frequency_cap: { max_calls: -1 }\n`, `${FILE}: frequency_cap.max_calls: must be 0 (no cap) or more`],
  ["a zero period", `${HEAD}frequency_cap: { per_hours: 0 }\n`, `${FILE}: frequency_cap.per_hours: must be more than 0`],
  ["a bad unknown_time_zone", `${HEAD}unknown_time_zone: America/New_York\n`, `${FILE}: unknown_time_zone: must be "suppress" or "place"`],
  [
    "a region we cannot find",
    `${HEAD}overrides:\n  - { name: uk, match: { region: GB-ENG }, cooldown_minutes: 5 }\n`,
    `${FILE}: overrides[0].match.region: must be a US or Canadian region`,
  ],
  [
    "a country that is not one",
    `${HEAD}overrides:\n  - { name: x, match: { country: [US, XX] }, cooldown_minutes: 5 }\n`,
    `${FILE}: overrides[0].match.country[1]: must be an ISO 3166-1 alpha-2 country code`,
  ],
  [
    "an empty match",
    `${HEAD}overrides:\n  - { name: x, match: {}, cooldown_minutes: 5 }\n`,
    `${FILE}: overrides[0].match: must give at least one of country, region, campaign, route`,
  ],
  ["an override that sets nothing", `${HEAD}overrides:\n  - { name: x, match: { country: US } }\n`, `${FILE}: overrides[0]: sets nothing`],
  [
    "a name used twice",
    `${HEAD}overrides:\n  - { name: x, match: { country: US }, cooldown_minutes: 1 }\n  - { name: x, match: { country: CA }, cooldown_minutes: 1 }\n`,
    `${FILE}: overrides[1].name: "x" is used twice`,
  ],
  ["broken YAML", `${HEAD}calling_window: [\n`, `${FILE}: YAML `],
  ["not a mapping", "- just a list\n", `${FILE}: (top level): `],
];

describe("problems name the file, the path and the reason", () => {
  it.each(REFUSED)("%s", (_case, text, expected) => {
    expect(problemsOf(parseRecipientPolicy(text, FILE))).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it("gives the path into an override's window", () => {
    const text = `${HEAD}overrides:
  - { name: a, match: { country: US }, cooldown_minutes: 1 }
  - name: b
    match: { region: [US-FL] }
    calling_window: { hours: [ { days: [mon], from: "20:00", to: "08:00" } ] }
`;
    expect(problemsOf(parseRecipientPolicy(text, FILE))).toEqual([
      `${FILE}: overrides[1].calling_window.hours[0].to: must be later than from (20:00); a row stays within one day, so hours past midnight take a second row`,
    ]);
  });

  it("reports to not after from even when another field of the row is wrong", () => {
    const text = `${HEAD}calling_window: { hours: [ { days: [saturday], from: "10:00", to: "9:00" } ] }\n`;
    expect(problemsOf(parseRecipientPolicy(text, FILE))).toEqual([
      `${FILE}: calling_window.hours[0].days[0]: must be a day: mon, tue, wed, thu, fri, sat, sun`,
      `${FILE}: calling_window.hours[0].to: must be later than from (10:00); a row stays within one day, so hours past midnight take a second row`,
    ]);
  });

  it("reports a name used twice even when an override has another problem", () => {
    const text = `${HEAD}overrides:\n  - { name: x, match: { country: US }, cooldown_minutes: 1 }\n  - { name: x, match: { country: ZZ }, cooldown_minutes: 1 }\n`;
    expect(problemsOf(parseRecipientPolicy(text, FILE))).toEqual([
      `${FILE}: overrides[1].match.country: must be an ISO 3166-1 alpha-2 country code such as US or GB`,
      `${FILE}: overrides[1].name: "x" is used twice`,
    ]);
  });

  it("reports every problem at once", () => {
    const text = `${HEAD}cooldown_minutes: -5\nfrequency_cap: { per_hours: 1000 }\nextra: 1\n`;
    expect(problemsOf(parseRecipientPolicy(text, FILE))).toHaveLength(3);
  });
});

describe("reading the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "recipient-policy-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("says which file it cannot read, and why", () => {
    const missing = join(dir, "missing.yaml");
    expect(problemsOf(loadRecipientPolicy(missing))).toEqual([`${missing}: cannot read the recipient policy file (ENOENT)`]);
  });

  it("names the file it read in each problem", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, `${HEAD}cooldown_minutes: lots\n`);
    expect(problemsOf(loadRecipientPolicy(file))).toEqual([`${file}: cooldown_minutes: Invalid input: expected number, received string`]);
  });
});

describe("isRecipientPolicyText", () => {
  it.each([
    [HEAD, true],
    ["kind: recipient-policy\n", true],
    ["sources: {}\nroutes: []\n", false],
    ["kind: something-else\n", false],
    ["kind: [\n", false],
    ["", false],
  ])("%j → %s", (text, expected) => {
    expect(isRecipientPolicyText(text)).toBe(expected);
  });
});
