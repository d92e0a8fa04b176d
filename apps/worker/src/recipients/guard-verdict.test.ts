import { describe, expect, it } from "vitest";
import { type GuardFacts, type GuardVerdict, guardVerdict } from "./guard-verdict.js";

const OPENS = Date.parse("2026-12-07T13:00:00Z");
const base: GuardFacts = {
  consent: undefined,
  window: { kind: "open" },
  store: { kind: "counted" },
  jitterMs: 600_000,
  overCap: "defer",
  random: 0.5,
};
const listed = { kind: "listed", entry: { reason: "opt_out", source: "route:crm-opt-out", added_at: "2026-12-01T00:00:00.000Z" } } as const;

describe("guardVerdict", () => {
  const rows: [string, Partial<GuardFacts>, Partial<GuardVerdict>][] = [
    ["open window, counted: placed", {}, { kind: "place" }],
    ["consent given: placed", { consent: true }, { kind: "place" }],
    ["consent false: suppressed no_consent", { consent: false }, { kind: "suppress", reason: "no_consent" }],
    [
      "consent false wins over a closed window",
      { consent: false, window: { kind: "closed", opensAtMs: OPENS } },
      { kind: "suppress", reason: "no_consent" },
    ],
    ["listed as opted out: suppressed with the list's reason", { store: listed }, { kind: "suppress", reason: "opt_out" }],
    [
      "listed wins over a closed window",
      { store: listed, window: { kind: "closed", opensAtMs: OPENS } },
      { kind: "suppress", reason: "opt_out" },
    ],
    [
      "no common calling hour: suppressed",
      { window: { kind: "never" }, store: { kind: "clear" } },
      { kind: "suppress", reason: "no_calling_window" },
    ],
    [
      "unknown zone (policy: suppress)",
      { window: { kind: "unknown_zone" }, store: { kind: "clear" } },
      { kind: "suppress", reason: "unknown_time_zone" },
    ],
    [
      "closed: deferred to the opening plus its share of the jitter",
      { window: { kind: "closed", opensAtMs: OPENS }, store: { kind: "clear" } },
      { kind: "defer", reason: "calling_window", notBeforeMs: OPENS + 300_000 },
    ],
    [
      "closed, no jitter: deferred to the opening exactly",
      { window: { kind: "closed", opensAtMs: OPENS }, store: { kind: "clear" }, jitterMs: 0 },
      { kind: "defer", reason: "calling_window", notBeforeMs: OPENS },
    ],
    [
      "over the cap: deferred until a call leaves the period",
      { store: { kind: "capped", untilMs: OPENS } },
      { kind: "defer", reason: "frequency_cap", notBeforeMs: OPENS },
    ],
    [
      "over the cap, policy suppresses",
      { store: { kind: "capped", untilMs: OPENS }, overCap: "suppress" },
      { kind: "suppress", reason: "frequency_cap" },
    ],
    [
      "cooling down: deferred to the cooldown's end",
      { store: { kind: "cooling", untilMs: OPENS } },
      { kind: "defer", reason: "cooldown", notBeforeMs: OPENS },
    ],
  ];
  it.each(rows)("%s", (_name, facts, expected) => {
    expect(guardVerdict({ ...base, ...facts })).toMatchObject(expected);
  });

  it("never names the whole number in a detail", () => {
    const verdict = guardVerdict({ ...base, store: listed });
    expect(verdict.kind === "suppress" && verdict.detail).not.toMatch(/\+\d{6,}/);
  });
});
