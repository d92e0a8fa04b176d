import { createLogger } from "@callbridge/observability";
import { CallRequest, type CampaignStatus } from "@callbridge/schemas";
import { TalkoverBadRequestError, TalkoverDuplicateCallError, TalkoverRateLimitError } from "@callbridge/talkover-client";
import { describe, expect, it } from "vitest";
import { CampaignWatch } from "../campaigns/campaign-watch.js";
import { MemoryStatusCache } from "../campaigns/status-cache.js";
import { ClaimKeeper } from "../claims/claim-keeper.js";
import type { Deferral } from "../deferral/deferral-record.js";
import { InMemoryLedger } from "../ledger/ledger.js";
import { type ProcessorDeps, processRequest } from "./process-request.js";
import { commonProcessorDeps } from "./test-support/processor-deps.js";

// Parking and durable deferral in the processor, with a scripted API and campaign. The same
// against the simulator and a real broker: test/worker/deferral.test.ts.

const logger = createLogger({ name: "t", level: "silent" });
const request = CallRequest.parse({ idempotency_key: "k1", campaign_id: "campaign-paused", to: "+14155550142" });
const signals = () => ({ stop: new AbortController().signal, hard: new AbortController().signal });
const NOW = Date.parse("2026-12-06T12:00:00Z");
const notActive = () =>
  new TalkoverBadRequestError({ status: 400, code: "CAMPAIGN_NOT_ACTIVE", message: "Campaign is not active", responseBody: "{}" });

interface Script {
  /** What each POST answers, in turn (an error thrown, or a call id for a 201). */
  readonly posts: (Error | string)[];
  /** The campaign's status for GET. */
  status: CampaignStatus;
}

function deps(script: Script, overrides: Partial<ProcessorDeps> = {}): ProcessorDeps & { posts: () => number; gets: () => number } {
  let posts = 0;
  let gets = 0;
  const client = {
    createCampaignCall: async () => {
      const next = script.posts[posts++];
      if (next instanceof Error) throw next;
      const campaign_call = {
        id: next ?? "c",
        campaign_id: request.campaign_id,
        to: request.to,
        status: "queued" as const,
        scheduled_at: null,
        created_at: "2026-12-06T12:00:00Z",
      };
      return { campaign_call, campaign: { id: request.campaign_id, name: "Q", status: "active" as const } };
    },
    getCampaign: async (id: string) => {
      gets += 1;
      return { id, name: "Q", status: script.status, created_at: "2026-12-01T00:00:00Z", updated_at: "2026-12-01T00:00:00Z" };
    },
  };
  const now = () => NOW;
  const watch = new CampaignWatch(
    client,
    new MemoryStatusCache(now),
    { pollIntervalMs: 30_000, pollsPerSecond: 1_000, owner: "me", now },
    logger,
  );
  return {
    client,
    ...commonProcessorDeps(),
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
    watch,
    park: { parkStatuses: new Set<CampaignStatus>(["draft", "paused"]), pollIntervalMs: 30_000, maxAgeMs: 7 * 86_400_000 },
    now: () => new Date(NOW),
    ...overrides,
    posts: () => posts,
    gets: () => gets,
  };
}

const parked = (parkedAgoMs: number): Deferral => ({
  reason: "campaign_not_active",
  notBefore: new Date(NOW).toISOString(),
  count: 3,
  firstAt: new Date(NOW - parkedAgoMs).toISOString(),
  parkedAt: new Date(NOW - parkedAgoMs).toISOString(),
  campaignStatus: "paused",
  attempts: {
    calls: 1,
    budgetSpent: 0,
    throttles: 0,
    ambiguous: false,
    ambiguousSince: undefined,
    firstAttemptAt: new Date(NOW - parkedAgoMs).toISOString(),
  },
});

describe("parking a request whose campaign is not active", () => {
  it.each(["paused", "draft"] as const)(
    "a %s campaign parks the request until its status is read again, with one `parked` event",
    async (status) => {
      const d = deps({ posts: [notActive()], status });
      const end = await processRequest(request, d, signals());
      expect(end).toMatchObject({
        kind: "deferred",
        deferral: { reason: "campaign_not_active", campaignStatus: status, count: 1, notBefore: new Date(NOW + 30_000).toISOString() },
        result: { outcome: "parked", reason: "campaign_not_active", campaign_status: status, attempts: 1 },
      });
      expect(d.posts()).toBe(1);
    },
  );

  it.each(["completed", "cancelled"] as const)("a %s campaign dead-letters at once, saying so", async (status) => {
    const end = await processRequest(request, deps({ posts: [notActive()], status }), signals());
    expect(end).toMatchObject({
      kind: "finished",
      result: { outcome: "dead_lettered", reason: "http_4xx", error_code: "CAMPAIGN_NOT_ACTIVE", campaign_status: status },
      deadLetter: { campaignStatus: status },
    });
  });

  it("a parked request whose campaign is still paused parks again, silently, without calling", async () => {
    const d = deps({ posts: [], status: "paused" });
    const end = await processRequest(request, d, signals(), parked(60_000));
    expect(end).toMatchObject({ kind: "deferred", deferral: { count: 4, parkedAt: new Date(NOW - 60_000).toISOString() } });
    expect(end).not.toHaveProperty("result");
    expect(d.posts()).toBe(0);
  });

  it("a parked request whose campaign became active is placed, its earlier attempt counted", async () => {
    const d = deps({ posts: ["call-9"], status: "active" });
    const end = await processRequest(request, d, signals(), parked(60_000));
    expect(end).toMatchObject({ kind: "finished", result: { outcome: "placed", call: { id: "call-9" }, attempts: 2 } });
  });

  it("a request parked longer than PARK_MAX_AGE_MS is dead-lettered parked_expired with the last status, without calling", async () => {
    const d = deps({ posts: [], status: "paused" }, {});
    const end = await processRequest(request, { ...d, park: { ...d.park, maxAgeMs: 5_000 } }, signals(), parked(5_000));
    expect(end).toMatchObject({
      kind: "finished",
      result: { outcome: "dead_lettered", reason: "parked_expired", campaign_status: "paused" },
      deadLetter: { reason: "parked_expired", campaignStatus: "paused" },
    });
    expect(d.posts()).toBe(0);
  });

  it("many parked requests of one campaign read it once per poll interval", async () => {
    const d = deps({ posts: [], status: "paused" });
    await Promise.all(Array.from({ length: 20 }, () => processRequest(request, d, signals(), parked(1_000))));
    expect(d.gets()).toBe(1);
  });
});

describe("the ledger across a wait", () => {
  it("a parked request's own answered attempt is forgotten: a 409 for someone else's call after the redrive is not taken for placed", async () => {
    const ledger = new InMemoryLedger(60_000, 1_000);
    const claims = new ClaimKeeper(ledger, "me", 60_000, logger);
    const first = deps({ posts: [notActive()], status: "paused" }, { claims });
    const parkedEnd = await processRequest(request, first, signals());
    if (parkedEnd.kind !== "deferred") throw new Error("not parked");
    // Activated; meanwhile another request of the same person was placed, so the API answers 409.
    const existing = {
      id: "call-other",
      campaign_id: request.campaign_id,
      to: request.to,
      status: "queued" as const,
      created_at: new Date(NOW).toISOString(),
    };
    const conflict = new TalkoverDuplicateCallError({
      status: 409,
      code: "DUPLICATE_CALL",
      message: "dup",
      responseBody: "{}",
      existingCall: existing,
    });
    const again = deps({ posts: [conflict], status: "active" }, { claims });
    const end = await processRequest(request, again, signals(), parkedEnd.deferral);
    expect(end).toMatchObject({ kind: "finished", result: { outcome: "dead_lettered", error_code: "DUPLICATE_CALL" } });
  });
});

describe("durable deferral of long waits", () => {
  it("a 429 whose Retry-After reaches DEFER_ABOVE_MS defers the request with its attempts, and a `deferred` event", async () => {
    const d = deps({
      posts: [new TalkoverRateLimitError({ status: 429, code: "RATE_LIMIT_EXCEEDED", message: "slow", retryAfterMs: 120_000 })],
      status: "active",
    });
    const end = await processRequest(request, d, signals());
    expect(end).toMatchObject({
      kind: "deferred",
      deferral: { reason: "rate_limited", notBefore: new Date(NOW + 120_000).toISOString(), attempts: { calls: 1, throttles: 1 } },
      result: { outcome: "deferred", reason: "rate_limited", not_before: new Date(NOW + 120_000).toISOString(), deferrals: 1 },
    });
  });
});
