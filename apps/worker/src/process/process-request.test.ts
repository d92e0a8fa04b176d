import { createLogger } from "@callbridge/observability";
import { CallRequest } from "@callbridge/schemas";
import { TalkoverBadRequestError, TalkoverServerError, TalkoverUnauthorizedError } from "@callbridge/talkover-client";
import { describe, expect, it } from "vitest";
import { ClaimKeeper } from "../claims/claim-keeper.js";
import { InMemoryLedger } from "../ledger/ledger.js";
import { AuthCircuit } from "./circuit.js";
import { type CallGate, type ProcessorDeps, processRequest } from "./process-request.js";
import { commonProcessorDeps } from "./test-support/processor-deps.js";

// The processor's bookkeeping around the ledger and the circuit, with a scripted API. What the
// real API answers, and what the worker does with it, is tested against the simulator in test/worker.

const logger = createLogger({ name: "t", level: "silent" });
const request = CallRequest.parse({ idempotency_key: "k1", campaign_id: "campaign-uuid-1", to: "+14155550142" });
const signals = () => ({ stop: new AbortController().signal, hard: new AbortController().signal });
const created = (id: string) => ({
  campaign_call: {
    id,
    campaign_id: "campaign-uuid-1",
    to: request.to,
    status: "queued" as const,
    scheduled_at: null,
    created_at: "2026-11-29T10:00:00Z",
  },
  campaign: { id: "campaign-uuid-1", name: "Q1", status: "active" as const },
});

function deps(
  overrides: Partial<ProcessorDeps> & { client: ProcessorDeps["client"]; ledger?: InMemoryLedger; leaseMs?: number },
): ProcessorDeps {
  const ledger = overrides.ledger ?? new InMemoryLedger(60_000, 1_000);
  return {
    ...commonProcessorDeps(),
    claims: new ClaimKeeper(ledger, "me", overrides.leaseMs ?? 60_000, logger),
    policy: {
      maxAttempts: 3,
      baseMs: 1,
      maxMs: 2,
      retryAfterMaxMs: 10,
      duplicateCallPolicy: "dead_letter",
      deferAboveMs: 60_000,
      parking: false,
    },
    watch: { status: async () => ({ status: "active", checkedAtMs: Date.now() }), forget: async () => {} },
    park: { parkStatuses: new Set(), pollIntervalMs: 30_000, maxAgeMs: 60_000 },
    ...overrides,
  };
}

const firstRecord = { topic: "requests", partition: 0, offset: "1" };

describe("processRequest and the ledger", () => {
  it("does not call for a key the ledger says was placed", async () => {
    const ledger = new InMemoryLedger(60_000, 1_000);
    await ledger.finish(
      [{ key: "k1", outcome: { kind: "placed", entry: { callId: "c-old", placedAt: "2026-11-27T10:00:00Z" } } }],
      "earlier",
    );
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
    const ledger = new InMemoryLedger(60_000, 1_000);
    let calls = 0;
    const verdict = await processRequest(
      request,
      deps({
        ledger,
        // Our claim lapses at once and is not renewed, as when this replica was cut off from Redis.
        leaseMs: 1,
        client: {
          createCampaignCall: async () => {
            calls += 1;
            await new Promise((resolve) => setTimeout(resolve, 5));
            // While we back off, another replica claims the key and places the call.
            expect(await ledger.begin([{ key: "k1" }], "other", 60_000)).toMatchObject([{ kind: "claimed", attempted: true }]);
            setTimeout(async () => {
              await ledger.finish(
                [{ key: "k1", outcome: { kind: "placed", entry: { callId: "c-other", placedAt: "2026-11-27T10:00:00Z" } } }],
                "other",
              );
              // Its result written: the claim goes (the record it settles is its own, not ours).
              await ledger.settle([{ key: "k1", record: { topic: "requests", partition: 0, offset: "99" } }], "other");
            }, 20);
            throw new TalkoverServerError({ message: "boom", code: "SERVER_ERROR", status: 500 });
          },
        },
      }),
      signals(),
    );
    expect(calls).toBe(1);
    expect(verdict).toMatchObject({ kind: "finished", result: { outcome: "already_placed", call_id: "c-other" } });
  });

  it("writes nothing for a call answered 201 after another replica took the lapsed claim: that replica reports it", async () => {
    const ledger = new InMemoryLedger(60_000, 1_000);
    const verdict = await processRequest(
      request,
      deps({
        ledger,
        leaseMs: 1,
        client: {
          createCampaignCall: async () => {
            await new Promise((resolve) => setTimeout(resolve, 5));
            // This process stalled past its lease while the call was out; another replica took the request.
            expect(await ledger.begin([{ key: "k1" }], "other", 60_000)).toMatchObject([{ kind: "claimed", attempted: true }]);
            return created("c-ours");
          },
        },
      }),
      signals(),
    );
    expect(verdict).toEqual({ kind: "settled" });
    // The call is on record: the other replica's retry, or any later one, does not call again.
    expect(await ledger.finish([{ key: "k1", outcome: { kind: "not_placed", proven: false } }], "other")).toEqual([true]);
    await ledger.release(["k1"], "other");
    expect(await ledger.begin([{ key: "k1" }], "third", 60_000)).toMatchObject([{ kind: "placed", entry: { callId: "c-ours" } }]);
  });

  it("forgets the attempt after a definite 4xx, so a replay's 409 is not read as its own", async () => {
    const ledger = new InMemoryLedger(60_000, 1_000);
    const d = deps({
      ledger,
      client: {
        createCampaignCall: async () => {
          throw new TalkoverBadRequestError({ message: "not active", code: "CAMPAIGN_NOT_ACTIVE", status: 400 });
        },
      },
    });
    await processRequest(request, d, signals(), undefined, firstRecord);
    // The claim is kept until the dead letter is written.
    expect(await ledger.begin([{ key: "k1" }], "replay", 1_000)).toEqual([{ kind: "held_elsewhere" }]);
    await d.claims.settle("k1", firstRecord);
    expect(await ledger.begin([{ key: "k1" }], "replay", 1_000)).toEqual([{ kind: "claimed", attempted: false }]);
    expect(await ledger.begin([{ key: "k1", record: firstRecord }], "replay", 1_000)).toEqual([{ kind: "settled" }]);
  });

  it("keeps the attempt after a 5xx among the answers, and lets the claim go once the letter is written", async () => {
    const ledger = new InMemoryLedger(60_000, 1_000);
    const d = deps({
      ledger,
      client: {
        createCampaignCall: async () => {
          throw new TalkoverServerError({ message: "boom", code: "SERVER_ERROR", status: 502 });
        },
      },
    });
    const verdict = await processRequest(request, d, signals(), undefined, firstRecord);
    expect(verdict).toMatchObject({ result: { outcome: "dead_lettered", reason: "retries_exhausted", attempts: 3 } });
    await d.claims.settle("k1", firstRecord);
    expect(await ledger.begin([{ key: "k1" }], "replay", 1_000)).toEqual([{ kind: "claimed", attempted: true }]);
  });

  it("sends no request that waited in the limiter while a 401 opened the circuit", async () => {
    let sent = 0;
    let accepted = false;
    const circuit = new AuthCircuit(
      async () => accepted,
      20,
      logger,
      () => {},
    );
    // Two requests queued behind one slot: the first meets the 401, the second must not go out.
    let slot = Promise.resolve();
    const oneAtATime: CallGate = {
      run: (_campaign, task) => {
        const run = slot.then(task);
        slot = run.then(
          () => undefined,
          () => undefined,
        );
        return run;
      },
      throttled: () => {},
    };
    const client = {
      createCampaignCall: async () => {
        sent += 1;
        if (!accepted) throw new TalkoverUnauthorizedError({ message: "Unauthorized", code: "INVALID_TOKEN", status: 401 });
        return created(`c-${sent}`);
      },
    };
    const ledger = new InMemoryLedger(60_000, 1_000);
    const shared = { gate: oneAtATime, circuit, ledger, client };
    const first = processRequest(request, deps(shared), signals());
    const second = processRequest({ ...request, idempotency_key: "k2" }, deps(shared), signals());
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sent).toBe(1);
    expect(circuit.isOpen).toBe(true);
    accepted = true;
    const verdicts = await Promise.all([first, second]);
    expect(verdicts.map((v) => v.kind === "finished" && v.result.outcome)).toEqual(["placed", "placed"]);
    expect(sent).toBe(3);
    circuit.stop();
  });
});
