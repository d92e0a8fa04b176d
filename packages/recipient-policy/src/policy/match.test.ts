import { describe, expect, it } from "vitest";
import { NANP_REGIONS } from "../place/nanp-regions.js";
import { placeOf } from "../place/place.js";
import { parseRecipientPolicy } from "./load.js";
import { MATCHABLE_REGIONS } from "./match.js";

const FILE = "policy.yaml";

/** The problems of a policy with one override of this match (none: it loads). */
function problemsOfMatch(match: string): string[] {
  const result = parseRecipientPolicy(
    `kind: recipient-policy\nversion: 1\noverrides:\n  - { name: x, match: ${match}, cooldown_minutes: 5 }\n`,
    FILE,
  );
  return result.ok ? [] : result.problems;
}

describe("a match that can never apply is refused, naming the path", () => {
  it.each([
    [
      "a US territory as a region",
      "{ region: US-PR }",
      "overrides[0].match.region: never matches: numbers of Puerto Rico have country PR and no region; use country: PR instead",
    ],
    [
      "Guam",
      "{ region: US-GU }",
      "overrides[0].match.region: never matches: numbers of Guam have country GU and no region; use country: GU instead",
    ],
    [
      "in a list, at its index",
      "{ region: [US-FL, US-VI] }",
      "overrides[0].match.region[1]: never matches: numbers of the U.S. Virgin Islands have country VI",
    ],
    [
      "American Samoa",
      "{ region: US-AS }",
      "overrides[0].match.region: never matches: numbers of American Samoa have country AS and no region; use country: AS instead",
    ],
    [
      "the Northern Mariana Islands",
      "{ region: US-MP }",
      "overrides[0].match.region: never matches: numbers of the Northern Mariana Islands have country MP and no region; use country: MP instead",
    ],
    [
      "Nova Scotia, whose area codes it shares",
      "{ region: CA-NS }",
      "overrides[0].match.region: never matches: area codes 902 and 782 serve both",
    ],
    [
      "Prince Edward Island",
      "{ region: CA-PE }",
      "overrides[0].match.region: never matches: area codes 902 and 782 serve both Nova Scotia and Prince Edward Island",
    ],
    [
      "Yukon, which shares 867",
      "{ region: CA-YT }",
      "overrides[0].match.region: never matches: area code 867 serves all three territories",
    ],
    [
      "a region outside the country",
      "{ country: US, region: CA-ON }",
      "overrides[0].match.region: never matches together with country US: CA-ON is in CA, and a number's region is always in its own country",
    ],
    [
      "no region of the list in any country of the list",
      "{ country: [US, MX], region: [CA-ON, CA-QC] }",
      "overrides[0].match.region: never matches together with country US, MX: CA-ON is in CA, CA-QC is in CA",
    ],
    ["a region of no +1 country", "{ region: GB-ENG }", 'overrides[0].match.region: must be a US or Canadian region such as "US-FL"'],
  ])("%s: %s", (_case, match, expected) => {
    expect(problemsOfMatch(match)).toEqual([`${FILE}: ${expected}`].map((problem) => expect.stringContaining(problem)));
  });

  it.each([
    ["a state", "{ region: US-FL }"],
    ["a region in its country", "{ country: CA, region: CA-ON }"],
    ["one region of the list in a country of the list", "{ country: [US, CA], region: [CA-ON, US-TX] }"],
    ["a territory by its country", "{ country: PR }"],
    ["Washington D.C.", "{ region: US-DC }"],
  ])("accepts %s: %s", (_case, match) => {
    expect(problemsOfMatch(match)).toEqual([]);
  });
});

describe("the regions a match may name", () => {
  it("are exactly those placeOf gives some +1 number, over every area code", () => {
    const placed = new Set<string>();
    for (let areaCode = 200; areaCode < 1000; areaCode += 1) {
      for (const line of ["5550123", "2345678"]) {
        const region = placeOf(`+1${areaCode}${line}`).region;
        if (region !== undefined) placed.add(region);
      }
    }
    expect([...MATCHABLE_REGIONS].sort()).toEqual([...placed].sort());
    expect(MATCHABLE_REGIONS.size).toBeGreaterThanOrEqual(59); // 50 states, DC and 8 provinces
  });

  it("leave out only regions of the region table", () => {
    for (const region of MATCHABLE_REGIONS) expect(NANP_REGIONS.has(region), region).toBe(true);
  });
});
