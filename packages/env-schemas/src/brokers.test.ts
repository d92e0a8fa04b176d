import { describe, expect, it } from "vitest";
import { parseBrokerList } from "./brokers.js";

describe("parseBrokerList", () => {
  it.each([
    ["127.0.0.1:19092", ["127.0.0.1:19092"]],
    ["kafka-1:9092, kafka-2:9092", ["kafka-1:9092", "kafka-2:9092"]],
    ["kafka_1.internal:9092,", ["kafka_1.internal:9092"]],
    ["localhost:1", ["localhost:1"]],
    ["b.example.com:65535", ["b.example.com:65535"]],
  ])("accepts %j", (text, brokers) => {
    expect(parseBrokerList(text)).toEqual({ ok: true, brokers });
  });

  it.each([
    ["garbage", /garbage has no port/],
    ["", /no broker given/],
    [" , ", /no broker given/],
    ["host:", /port must be a number/],
    ["host:abc", /port must be a number/],
    ["host:0", /port must be a number/],
    ["host:65536", /port must be a number/],
    ["host:9092x", /port must be a number/],
    [":9092", /"" is not a host/],
    ["a:9092,garbage", /garbage has no port/],
    ["http://kafka:9092", /not a host name/],
    ["[::1]:9092", /not a host name/],
    ["a b:9092", /not a host name/],
  ])("refuses %j", (text, problem) => {
    const result = parseBrokerList(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(problem);
  });
});
