import { createLogger, createRegistry } from "@callbridge/observability";
import { CallRequest } from "@callbridge/schemas";
import { TalkoverServerError } from "@callbridge/talkover-client";
import { describe, expect, it } from "vitest";
import { InMemoryLedger } from "../ledger/ledger.js";
import { createWorkerMetrics } from "../metrics.js";
import { type CallGate, type ProcessorDeps, processRequest } from "./call-processor.js";
import { AuthCircuit } from "./circuit.js";

// The processor's bookkeeping around the ledger, with a scripted API. What the real API
// answers, and what the worker does with it, is tested against the simulator in test/worker.

const logger = createLogger({ name: "t", level: "silent" });
const request = CallRequest.parse({ idempotency_key: "k1", campaign_id: "campaign-uuid-1", to: "+14155550142" });
const gate: CallGate = { run: (_campaign, task) => task(), throttled: () => {} };
const signals = () => ({ stop: new AbortController().signal, hard: new AbortController().signal });

function deps(overrides: Partial<ProcessorDeps> & { client: ProcessorDeps["client"] }): ProcessorDeps {
  return {
    gate,
    ledger: new InMemoryLedger(60_000),
    circuit: new AuthCircuit(
      async () => true,
      1_000,
      logger,
      () => {},
    ),
    metrics: createWorkerMetrics(createRegistry()),
    logger,
    retry: { maxAttempts: 3, baseMs: 1, maxMs: 2, retryAfterMaxMs: 10 },
    duplicateCallPolicy: "dead_letter",
    owner: "me",
    claimLeaseMs: 60_000,
    random: () => 0,
    ...overrides,
  };
}

describe("processRequest and the ledger", () => {
  it("does not call for a key the ledger says was placed", async () => {
    const ledger = new InMemoryLedger(60_000);
    await ledger.markPlaced("k1", { callId: "c-old", placedAt: "2026-11-27T10:00:00Z" });
    let calls = 0;
    const verdict = await processRequest(
      request,
      deps({
        ledger,
        client: {
          createCampaignCall: async () => {
            calls += 1;
            throw new Error("must not be called");
          },
        },
      }),
      signals(),
    );
    expect(calls).toBe(0);
    expect(verdict).toMatchObject({ kind: "finished", result: { outcome: "already_placed", call_id: "c-old", attempts: 0 } });
  });

  it("stops calling when another replica took the key during a retry wait, and reports its placement", async () => {
    const ledger = new InMemoryLedger(60_000);
    let calls = 0;
    const verdict = await processRequest(
      request,
      deps({
        ledger,
        // Our claim lapses at once, as after a long circuit or backoff wait.
        claimLeaseMs: 1,
        client: {
          createCampaignCall: async () => {
            calls += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            // While we back off, another replica claims the key and places the call.
            expect(await ledger.claim("k1", "other", 60_000)).toBe(true);
            setTimeout(() => void ledger.markPlaced("k1", { callId: "c-other", placedAt: "2026-11-27T10:00:00Z" }), 20);
            throw new TalkoverServerError({ message: "boom", code: "SERVER_ERROR", status: 500 });
          },
        },
      }),
      signals(),
    );
    expect(calls).toBe(1);
    expect(verdict).toMatchObject({ kind: "finished", result: { outcome: "already_placed", call_id: "c-other" } });
  });

  it("forgets the attempt after a definite 4xx, so a replay's 409 is not read as its own", async () => {
    const ledger = new InMemoryLedger(60_000);
    const { TalkoverBadRequestError } = await import("@callbridge/talkover-client");
    await processRequest(
      request,
      deps({
        ledger,
        client: {
          createCampaignCall: async () => {
            throw new TalkoverBadRequestError({ message: "not active", code: "CAMPAIGN_NOT_ACTIVE", status: 400 });
          },
        },
      }),
      signals(),
    );
    expect(await ledger.wasAttempted("k1")).toBe(false);
  });
});
