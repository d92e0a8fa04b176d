import type { ParkedCommand } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { mergeParkedCommand } from "./command.js";
import { checkRedisUrl } from "./redis.js";

describe("mergeParkedCommand: a later command keeps the fields it does not set", () => {
  it.each<[string, string | null, ParkedCommand, Record<string, unknown>, boolean]>([
    ["first command of a campaign", null, { redrive_at_ms: 100 }, { redrive_at_ms: 100 }, false],
    [
      "a drop after a redrive keeps the redrive",
      '{"redrive_at_ms":100}',
      { drop_before_ms: 200 },
      { redrive_at_ms: 100, drop_before_ms: 200 },
      false,
    ],
    [
      "a redrive after a drop keeps the drop",
      '{"drop_before_ms":200}',
      { redrive_at_ms: 300 },
      { redrive_at_ms: 300, drop_before_ms: 200 },
      false,
    ],
    [
      "a second redrive replaces the first",
      '{"redrive_at_ms":100,"drop_before_ms":50}',
      { redrive_at_ms: 300 },
      { redrive_at_ms: 300, drop_before_ms: 50 },
      false,
    ],
    [
      "an unset field of the update changes nothing",
      '{"drop_before_ms":50}',
      { redrive_at_ms: 1, drop_before_ms: undefined },
      { redrive_at_ms: 1, drop_before_ms: 50 },
      false,
    ],
    [
      "fields a newer CLI wrote are kept",
      '{"drop_before_ms":50,"pause_until_ms":9}',
      { redrive_at_ms: 1 },
      { redrive_at_ms: 1, drop_before_ms: 50, pause_until_ms: 9 },
      false,
    ],
    ["text that is not JSON is replaced", "garbage", { redrive_at_ms: 1 }, { redrive_at_ms: 1 }, true],
    ["JSON that is not an object is replaced", "[1,2]", { redrive_at_ms: 1 }, { redrive_at_ms: 1 }, true],
    ["a command the workers cannot read is replaced", '{"drop_before_ms":"yesterday"}', { redrive_at_ms: 1 }, { redrive_at_ms: 1 }, true],
  ])("%s", (_name, existing, update, command, replaced) => {
    expect(mergeParkedCommand(existing, update)).toEqual({ command, replacedUnreadable: replaced });
  });
});

describe("checkRedisUrl", () => {
  it.each<[string, string]>([
    ["redis://127.0.0.1:6390", "127.0.0.1:6390"],
    ["redis://:s3cret@redis.internal:6379/2", "redis.internal:6379"],
    ["rediss://user:s3cret@redis.example.com", "redis.example.com:6379"],
  ])("%s points at %s, never naming the password", (url, where) => {
    expect(checkRedisUrl(url, "REDIS_URL")).toEqual({ url, where });
  });

  it.each<[string, RegExp]>([
    ["localhost:6379", /^REDIS_URL: localhost: is not a Redis URL/],
    ["http://:s3cret@redis:6379", /^REDIS_URL: http: is not a Redis URL/],
    ["not a url at all", /^REDIS_URL: not a URL/],
  ])("%s is refused (exit 2) without echoing it", (url, message) => {
    expect(() => checkRedisUrl(url, "REDIS_URL")).toThrow(message);
    try {
      checkRedisUrl(url, "REDIS_URL");
    } catch (error) {
      expect(error).toMatchObject({ exitCode: 2, kind: "usage" });
      expect(String(error)).not.toContain("s3cret");
    }
  });
});
