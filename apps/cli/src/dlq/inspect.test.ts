import type { ConsumedRecord } from "@callbridge/kafka";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { cellText } from "../output/table.js";
import { shownLetter, shownOnTerminal } from "./inspect.js";
import { letterOf } from "./letter.js";

describe("shownOnTerminal", () => {
  it("leaves a value up to the limit whole", () => {
    expect(shownOnTerminal("x".repeat(10), 10)).toBe("x".repeat(10));
  });

  it("cuts a longer one and says how much was left out, and where to get it all", () => {
    expect(shownOnTerminal("x".repeat(25), 10)).toBe(`${"x".repeat(10)}\n... (15 more characters; --json prints it whole)`);
  });
});

describe("cellText", () => {
  it("leaves short text whole and cuts long text saying how much was cut", () => {
    expect(cellText("k".repeat(80))).toBe("k".repeat(80));
    expect(cellText("k".repeat(100))).toBe(`${"k".repeat(80)}…(+20)`);
  });
});

describe("shownLetter", () => {
  const letter = (headers: Record<string, string>) => {
    const record: ConsumedRecord = {
      topic: "dlq",
      partition: 0,
      offset: "7",
      key: Buffer.from("campaign-paused:+14155550142"),
      value: Buffer.from('{"to":"+14155550142"}'),
      headers: { [DLQ_HEADERS.reason]: "http_4xx", ...headers },
      timestamp: "0",
    };
    return letterOf(record);
  };
  const traced = letter({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
  const options = { reveal: false, json: false, topic: "dlq" };

  it("prints the trace id of the letter's traceparent under its key", () => {
    expect(shownLetter(traced, options).slice(0, 4)).toEqual([
      "dead letter 0:7 in dlq",
      "key: campaign-paused:+1415*****42",
      "trace: 4bf92f3577b34da6a3ce929d0e0e4736",
      "\nheaders:",
    ]);
  });

  it.each([
    ["no traceparent", {}],
    ["a malformed one", { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01" }],
  ])("prints no trace line for a letter with %s", (_name, headers) => {
    expect(shownLetter(letter(headers), options).filter((line) => line.startsWith("trace"))).toEqual([]);
  });

  it("gives trace_id in JSON, null without one", () => {
    const json = (l: ReturnType<typeof letter>) => JSON.parse(shownLetter(l, { ...options, json: true }).join("")) as { trace_id: unknown };
    expect(json(traced).trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(json(letter({})).trace_id).toBeNull();
  });
});
