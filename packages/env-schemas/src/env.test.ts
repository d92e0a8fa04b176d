import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvIntAtLeast, EnvKafkaBrokers, EnvLogLevel, EnvMilliseconds, EnvPort, EnvPositiveInt, envProblems } from "./env.js";

const Schema = z.object({
  PORT: EnvPort,
  MAX: EnvPositiveInt,
  WAIT_MS: EnvMilliseconds,
  LEASE_MS: EnvIntAtLeast(1_000, "ms").default(5_000),
  LOG_LEVEL: EnvLogLevel,
  KAFKA_BROKERS: EnvKafkaBrokers,
});

describe("shared env fields", () => {
  it("read text as the numbers, levels and broker lists they stand for", () => {
    expect(Schema.parse({ PORT: "8080", MAX: "5", WAIT_MS: "0", KAFKA_BROKERS: "127.0.0.1:19092" })).toEqual({
      PORT: 8080,
      MAX: 5,
      WAIT_MS: 0,
      LEASE_MS: 5_000,
      LOG_LEVEL: "info",
      KAFKA_BROKERS: ["127.0.0.1:19092"],
    });
  });

  it.each([
    ["a port that is not a number", { PORT: "http" }, "PORT: must be a port number"],
    ["a port out of range", { PORT: "70000" }, "PORT: must be a port number"],
    ["zero where a positive count is needed", { MAX: "0" }, "MAX: must be a whole number above 0"],
    ["a fraction of a millisecond", { WAIT_MS: "1.5" }, "WAIT_MS:"],
    ["a value under its floor says the floor", { LEASE_MS: "100" }, "LEASE_MS: must be a whole number of ms of at least 1000"],
    ["zero under a floor, said once", { LEASE_MS: "0" }, "LEASE_MS: must be a whole number of ms of at least 1000"],
    ["text where a floor is set", { LEASE_MS: "abc" }, "LEASE_MS: must be a whole number of ms of at least 1000"],
    ["an unknown log level", { LOG_LEVEL: "loud" }, "LOG_LEVEL:"],
    ["no brokers", { KAFKA_BROKERS: "" }, "KAFKA_BROKERS: is required"],
    ["brokers without a port", { KAFKA_BROKERS: "garbage" }, "KAFKA_BROKERS: garbage has no port; use host:port[,host:port]"],
    [
      "a broker with a port out of range",
      { KAFKA_BROKERS: "a:1,b:99999" },
      "KAFKA_BROKERS: b:99999: the port must be a number from 1 to 65535",
    ],
  ])("%s names the variable", (_name, overrides, problem) => {
    const base = { PORT: "1", MAX: "1", WAIT_MS: "1", KAFKA_BROKERS: "b:1" };
    const result = Schema.safeParse({ ...base, ...overrides });
    expect(result.success).toBe(false);
    if (!result.success) {
      const problems = envProblems(result.error);
      expect(problems.join("\n")).toContain(problem);
      expect(new Set(problems).size).toBe(problems.length);
    }
  });
});
