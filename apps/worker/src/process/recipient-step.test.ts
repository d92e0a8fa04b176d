import { createLogger } from "@callbridge/observability";
import { DEFAULT_RECIPIENT_POLICY, parseRecipientPolicy } from "@callbridge/recipient-policy";
import { CallRequest, type CampaignStatus } from "@callbridge/schemas";
import { TalkoverBadRequestError } from "@callbridge/talkover-client";
import { describe, expect, it } from "vitest";
import { CampaignWatch } from "../campaigns/campaign-watch.js";
import { MemoryStatusCache } from "../campaigns/status-cache.js";
import { ClaimKeeper } from "../claims/claim-keeper.js";
import { InMemoryLedger } from "../ledger/ledger.js";
import { RecipientGuard } from "../recipients/recipient-guard.js";
import { InProcessRecipientStore, type RecipientAnswer, type RecipientStore } from "../recipients/recipient-store.js";
import { type ProcessorDeps, processRequest } from "./process-request.js";
import { commonProcessorDeps } from "./test-support/processor-deps.js";

// The recipient guard's step in the processor, time injected: what it decides is what the
// request's end says, and nothing reaches the API when it says no.

const logger = createLogger({ name: "t", level: "silent" });
const signals = () => ({ stop: new AbortController().signal, hard: new AbortController().signal });
/** 20:59:59 in New York. */
const BEFORE_NINE_PM = Date.parse("2026-12-08T01:59:59Z");
const request = (extra: Record<string, unknown> = {}) =>
  CallRequest.parse({ idempotency_key: `k-${Math.random()}`, campaign_id: "campaign-uuid-1", to: "+12125550100", ...extra });

function deps(
  clock: { now: number },
  answers: (Error | string)[] = [],
): ProcessorDeps & { posts: () => number; store: InProcessRecipientStore } {
  let posts = 0;
  const now = () => clock.now;
  const client = {
    createCampaignCall: async () => {
      const next = answers[posts++] ?? "call-1";
      if (next instanceof Error) throw next;
      const campaign_call = {
        id: next,
        campaign_id: "campaign-uuid-1",
        to: "+12125550100",
        status: "queued" as const,
        scheduled_at: null,
        created_at: "2026-12-08T00:00:00Z",
      };
      return { campaign_call, campaign: { id: "campaign-uuid-1", name: "Q", status: "active" as const } };
    },
    getCampaign: async (id: string) => ({
      id,
      name: "Q",
      status: "active" as const,
      created_at: "2026-12-01T00:00:00Z",
      updated_at: "2026-12-01T00:00:00Z",
    }),
  };
  const store = new InProcessRecipientStore(now);
  return {
    ...commonProcessorDeps(),
    client,
    claims: new ClaimKeeper(new InMemoryLedger(60_000, 1_000), "me", 60_000, logger),
    policy: {
      maxAttempts: 3,
      baseMs: 1,
      maxMs: 2,
      retryAfterMaxMs: 600_000,
      duplicateCallPolicy: "dead_letter",
      deferAboveMs: 15_000,
      parking: true,
    },
    watch: new CampaignWatch(
      client,
      new MemoryStatusCache(now),
      { pollIntervalMs: 30_000, pollsPerSecond: 1_000, owner: "me", now },
      logger,
    ),
    park: { parkStatuses: new Set<CampaignStatus>(["draft", "paused"]), pollIntervalMs: 30_000, maxAgeMs: 7 * 86_400_000 },
    guard: new RecipientGuard({ policyOn: true, policy: DEFAULT_RECIPIENT_POLICY, store, now, random: () => 0 }),
    now: () => new Date(clock.now),
    posts: () => posts,
    store,
  };
}

describe("the recipient guard's step", () => {
  it("a request whose window closes while it waits for the limiter is deferred to the next opening, not sent", async () => {
    const clock = { now: BEFORE_NINE_PM };
    const d = deps(clock);
    // The limiter lets the call out six seconds later: 21:00:05 in New York.
    const gate = {
      ...d.gate,
      run: <T>(_campaign: string, task: () => Promise<T>) => {
        clock.now += 6_000;
        return task();
      },
    };
    const end = await processRequest(request(), { ...d, gate }, signals());
    expect(d.posts()).toBe(0);
    expect(end).toMatchObject({
      kind: "deferred",
      deferral: { reason: "calling_window", notBefore: "2026-12-08T13:00:00.000Z" },
      result: { outcome: "deferred", reason: "calling_window", not_before: "2026-12-08T13:00:00.000Z" },
    });
  });

  it("inside the window, the call is placed; a request without consent is suppressed, and nothing is sent for it", async () => {
    const clock = { now: BEFORE_NINE_PM - 3_600_000 };
    const d = deps(clock);
    expect(await processRequest(request(), d, signals())).toMatchObject({ kind: "finished", result: { outcome: "placed" } });
    const refused = await processRequest(request({ consent: false }), d, signals());
    expect(refused).toMatchObject({ kind: "finished", result: { outcome: "suppressed", reason: "no_consent", attempts: 0 } });
    expect(d.posts()).toBe(1);
  });

  it("a request that ends without a call (dead-lettered) no longer counts against the recipient's cap", async () => {
    const clock = { now: BEFORE_NINE_PM - 3_600_000 };
    const invalid = new TalkoverBadRequestError({ status: 400, code: "VALIDATION_ERROR", message: "bad payload", responseBody: "{}" });
    const d = deps(clock, ["c1", "c2", invalid, "c4"]);
    const policy = parseRecipientPolicy("kind: recipient-policy\nversion: 1\nfrequency_cap: { max_calls: 3, per_hours: 24 }\n", "t.yaml");
    if (!policy.ok) throw new Error(policy.problems.join());
    const guarded = { ...d, guard: new RecipientGuard({ policyOn: true, policy: policy.policy, store: d.store, now: () => clock.now }) };
    const outcomes = [];
    for (let i = 0; i < 4; i++)
      outcomes.push(((await processRequest(request(), guarded, signals())) as { result: { outcome: string } }).result.outcome);
    expect(outcomes).toEqual(["placed", "placed", "dead_lettered", "placed"]);
    const fifth = await processRequest(request(), guarded, signals());
    expect(fifth).toMatchObject({ kind: "deferred", result: { reason: "frequency_cap" } });
  });

  it("a number put on the do-not-call list while its request waits in the limiter is not called: suppressed", async () => {
    const clock = { now: BEFORE_NINE_PM - 3_600_000 };
    const d = deps(clock);
    const listedNumbers = new Set<string>();
    const entry = { reason: "opt_out" as const, source: "route:crm", added_at: "2026-12-07T23:00:00.000Z" };
    const inner = d.store;
    const store: RecipientStore = {
      check: async (checks) => {
        const answers = await inner.check(checks);
        return checks.map((c, i) => (listedNumbers.has(c.number) ? { kind: "listed" as const, entry } : (answers[i] as RecipientAnswer)));
      },
      listed: async (numbers) => numbers.map((n) => (listedNumbers.has(n) ? entry : undefined)),
      uncount: (items) => inner.uncount(items),
    };
    const guard = new RecipientGuard({ policyOn: true, policy: DEFAULT_RECIPIENT_POLICY, store, now: () => clock.now, random: () => 0 });
    const r = request();
    // The opt-out arrives while the call waits 30 s for the limiter.
    const gate = {
      ...d.gate,
      run: <T>(_campaign: string, task: () => Promise<T>) => {
        clock.now += 30_000;
        listedNumbers.add(r.to);
        return task();
      },
    };
    const end = await processRequest(r, { ...d, guard, gate }, signals());
    expect(d.posts()).toBe(0);
    expect(end).toMatchObject({ kind: "finished", result: { outcome: "suppressed", reason: "opt_out" } });
  });
});
