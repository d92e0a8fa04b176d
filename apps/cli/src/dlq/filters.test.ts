import type { ConsumedRecord } from "@callbridge/kafka";
import { describe, expect, it } from "vitest";
import { buildFilter, parseTime } from "./filters.js";
import { letterOf } from "./letter.js";

const now = Date.parse("2026-11-27T12:00:00Z");

function letter(headers: Record<string, string>, key = "campaign-paused:+14155550142") {
  const record: ConsumedRecord = {
    topic: "dlq",
    partition: 0,
    offset: "1",
    key: Buffer.from(key),
    value: null,
    headers,
    timestamp: String(now),
  };
  return letterOf(record);
}

describe("dead-letter filters", () => {
  const paused = letter({
    "callbridge.dlq.reason": "http_4xx",
    "callbridge.dlq.error_code": "CAMPAIGN_NOT_ACTIVE",
    "callbridge.dlq.failed_at": "2026-11-27T11:00:00Z",
    "callbridge.dlq.source_kind": "hubspot",
  });

  it("matches on reason, code, campaign, source, key and time", () => {
    expect(
      buildFilter({ reason: ["http_4xx"], code: ["CAMPAIGN_NOT_ACTIVE"], campaign: ["campaign-paused"], source: ["hubspot"] }, now).matches(
        paused,
      ),
    ).toBe(true);
    expect(buildFilter({ code: ["FORBIDDEN"] }, now).matches(paused)).toBe(false);
    expect(buildFilter({ since: "30m" }, now).matches(paused)).toBe(false);
    expect(buildFilter({ since: "2h", until: "30m" }, now).matches(paused)).toBe(true);
    expect(buildFilter({ key: "campaign-paused:+14155550142" }, now).matches(paused)).toBe(true);
  });

  it("reads the campaign from the key when the header is missing, and masks the number", () => {
    expect(paused.campaign).toBe("campaign-paused");
    expect(paused.maskedKey).toBe("campaign-paused:+1415*****42");
  });

  it("refuses bad filters with the option's name", () => {
    expect(() => buildFilter({ reason: ["bogus"] }, now)).toThrow(/--reason bogus/);
    expect(() => buildFilter({ code: ["lower"] }, now)).toThrow(/--code lower/);
    expect(() => buildFilter({ since: "1h", until: "2h" }, now)).toThrow(/--since is after --until/);
    expect(() => parseTime("--since", "tuesday", now)).toThrow(/--since tuesday/);
  });
});
