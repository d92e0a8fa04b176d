import { inspect } from "node:util";
import {
  TalkoverClient,
  TalkoverConnectionError,
  TalkoverDuplicateCallError,
  type TalkoverError,
  type TalkoverErrorKind,
  TalkoverRateLimitError,
  TalkoverValidationError,
} from "@callbridge/talkover-client";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";

// The typed client against the simulator over real sockets: one test per error kind the
// API can produce, plus the failures outside HTTP.

let running: RunningSimulator;
let client: TalkoverClient;
const others: TalkoverClient[] = [];

beforeAll(async () => {
  running = await startSimulator();
  client = new TalkoverClient({ baseUrl: running.url, token: SIM_TOKEN, timeoutMs: 2_000 });
});
afterAll(async () => {
  await client.close();
  await running.sim.close();
});
beforeEach(async () => {
  await fetch(`${running.url}/_sim/reset`, { method: "POST" });
});
afterEach(async () => {
  await Promise.all(others.splice(0).map((c) => c.close()));
});

function clientWith(options: { token?: string; timeoutMs?: number; baseUrl?: string }): TalkoverClient {
  const c = new TalkoverClient({
    baseUrl: options.baseUrl ?? running.url,
    token: options.token ?? SIM_TOKEN,
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  others.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<TalkoverError> {
  try {
    await promise;
  } catch (error) {
    return error as TalkoverError;
  }
  throw new Error("expected the call to fail");
}

describe("success", () => {
  it("places a call and returns the validated 201 body", async () => {
    const created = await client.createCampaignCall("campaign-uuid-1", {
      to: "+1987654321",
      payload: { customer_name: "John Doe" },
      context: { user_id: "user_123" },
      is_testing: true,
    });
    expect(created.campaign).toEqual({ id: "campaign-uuid-1", name: "Q1 Outreach", status: "active" });
    expect(created.campaign_call).toMatchObject({ campaign_id: "campaign-uuid-1", to: "+1987654321", status: "queued" });
    const { calls } = (await (await fetch(`${running.url}/_sim/calls`)).json()) as { calls: Record<string, unknown>[] };
    expect(calls).toEqual([
      expect.objectContaining({
        id: created.campaign_call.id,
        payload: { customer_name: "John Doe" },
        context: { user_id: "user_123" },
        is_testing: true,
      }),
    ]);
  });

  it("reads and changes a campaign's status", async () => {
    expect(await client.getCampaign("campaign-paused")).toMatchObject({ id: "campaign-paused", status: "paused" });
    expect(await client.updateCampaignStatus("campaign-paused", "active")).toMatchObject({ status: "active" });
    expect((await client.createCampaignCall("campaign-paused", { to: "+1234567890" })).campaign.status).toBe("active");
  });
});

describe("every error kind the API produces", () => {
  const cases: [string, () => Promise<unknown>, Partial<Record<keyof TalkoverError, unknown>> & { kind: TalkoverErrorKind }][] = [
    [
      "400 campaign not active",
      () => client.createCampaignCall("campaign-draft", { to: "+1234567890" }),
      { kind: "bad_request", status: 400, code: "CAMPAIGN_NOT_ACTIVE", retryable: false },
    ],
    [
      "401 bad token",
      () => clientWith({ token: "talq_wrong" }).createCampaignCall("campaign-uuid-1", { to: "+1234567890" }),
      { kind: "unauthorized", status: 401, code: "INVALID_TOKEN", retryable: false },
    ],
    [
      "403 forbidden campaign",
      () => client.createCampaignCall("campaign-forbidden", { to: "+1234567890" }),
      { kind: "forbidden", status: 403, code: "FORBIDDEN", retryable: false },
    ],
    [
      "404 unknown campaign",
      () => client.createCampaignCall("campaign-missing", { to: "+1234567890" }),
      { kind: "not_found", status: 404, code: "CAMPAIGN_NOT_FOUND", retryable: false },
    ],
    [
      "404 from a wrong base path",
      () => clientWith({ baseUrl: `${running.url}/v9` }).getCampaign("campaign-uuid-1"),
      { kind: "not_found", status: 404, code: "NOT_FOUND" },
    ],
    [
      "422 invalid number",
      () => client.createCampaignCall("campaign-uuid-1", { to: "+0" }),
      { kind: "validation", status: 422, code: "VALIDATION_ERROR", retryable: false },
    ],
    [
      "422 invalid status",
      () => client.updateCampaignStatus("campaign-uuid-1", "live" as "active"),
      { kind: "validation", status: 422, code: "VALIDATION_ERROR" },
    ],
  ];

  it.each(cases)("%s", async (_name, call, expected) => {
    expect(await failure(call())).toMatchObject(expected);
  });

  it("409 carries the existing call, kept off the enumerable fields", async () => {
    const first = await client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" });
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error).toBeInstanceOf(TalkoverDuplicateCallError);
    expect(error).toMatchObject({ kind: "duplicate_call", status: 409, code: "DUPLICATE_CALL", retryable: false, ambiguous: false });
    expect((error as TalkoverDuplicateCallError).existingCall).toMatchObject({ id: first.campaign_call.id, status: "queued" });
    expect(JSON.stringify(error)).not.toContain("+1234567890");
    expect(error.message).not.toContain("+1234567890");
  });

  it("422 carries the field errors", async () => {
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "12345" }));
    expect(error).toBeInstanceOf(TalkoverValidationError);
    expect((error as TalkoverValidationError).fieldErrors).toEqual({ to: ["The to must be a valid phone number."] });
  });

  it("429 with Retry-After in seconds", async () => {
    await running.setFaults({ throttle_rate: 1, retry_after_seconds: 7 });
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error).toBeInstanceOf(TalkoverRateLimitError);
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, code: "RATE_LIMIT_EXCEEDED", retryable: true, retryAfterMs: 7000 });
  });

  it("429 with Retry-After as an HTTP date", async () => {
    await running.setFaults({ throttle_rate: 1, retry_after_seconds: 30, retry_after_format: "http-date" });
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error.kind).toBe("rate_limited");
    // An HTTP date has whole seconds: 30 s from the simulator's clock, read against ours.
    expect(error.retryAfterMs).toBeGreaterThan(28_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it("429 from the token bucket says when the next token comes", async () => {
    await running.setFaults({ rate_limit_rps: 1, rate_limit_burst: 1 });
    await client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" });
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567891" }));
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 1000 });
  });

  it("500", async () => {
    await running.setFaults({ error_rate: 1 });
    expect(await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }))).toMatchObject({
      kind: "server_error",
      status: 500,
      code: "SERVER_ERROR",
      retryable: true,
    });
  });
});

describe("failures outside HTTP", () => {
  it("a timeout when the API is slower than the request timeout", async () => {
    await running.setFaults({ latency_ms: 1_000 });
    const error = await failure(clientWith({ timeoutMs: 150 }).createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error).toMatchObject({ kind: "timeout", code: "TIMEOUT", retryable: true, ambiguous: true, status: undefined });
  });

  it("a cut connection after the API accepted the call is ambiguous, and the call exists", async () => {
    await running.setFaults({ drop_rate: 1 });
    const error = await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error).toBeInstanceOf(TalkoverConnectionError);
    expect(error).toMatchObject({ kind: "connection", requestSent: true, ambiguous: true, retryable: true });
    await running.setFaults({});
    // Retrying the ambiguous attempt meets the call it placed.
    expect((await failure(client.createCampaignCall("campaign-uuid-1", { to: "+1234567890" }))).kind).toBe("duplicate_call");
  });

  it("a refused connection is not ambiguous", async () => {
    const stopped = await startSimulator();
    await stopped.sim.close();
    const error = await failure(clientWith({ baseUrl: stopped.url }).createCampaignCall("campaign-uuid-1", { to: "+1234567890" }));
    expect(error).toMatchObject({ kind: "connection", requestSent: false, ambiguous: false, retryable: true });
  });
});

describe("the token", () => {
  it("appears in no message, field, cause or stack of any error kind", async () => {
    const secret = "talq_contract_secret_9f8e7d";
    const secretSim = await startSimulator();
    try {
      const wrong = clientWith({ token: secret, baseUrl: secretSim.url, timeoutMs: 150 });
      const errors: TalkoverError[] = [];
      errors.push(await failure(wrong.createCampaignCall("campaign-uuid-1", { to: "+1234567890" })));
      for (const faults of [{ error_rate: 1 }, { throttle_rate: 1 }, { drop_rate: 1 }, { latency_ms: 1_000 }]) {
        await secretSim.setFaults(faults);
        errors.push(await failure(wrong.getCampaign("campaign-uuid-1")));
      }
      await secretSim.sim.close();
      errors.push(await failure(wrong.getCampaign("campaign-uuid-1")));
      expect(errors.map((e) => e.kind)).toEqual(["unauthorized", "unauthorized", "unauthorized", "unauthorized", "timeout", "connection"]);
      for (const error of errors) {
        const printed = `${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}\n${JSON.stringify(error)}\n${error.stack}`;
        expect(printed).not.toContain("contract_secret");
      }
    } finally {
      await secretSim.sim.close();
    }
  });
});
