import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { SimulatorClock } from "./state/simulator-state.js";
import { startSimulator, type TestSimulator } from "./test-support/start-simulator.js";

let current: TestSimulator | undefined;
afterEach(async () => {
  await current?.sim.close();
  current = undefined;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<TestSimulator> {
  current = await startSimulator(options);
  return current;
}

class FakeClock implements SimulatorClock {
  ms = Date.parse("2026-11-27T10:00:00Z");
  randomValue = 0.5;
  slept: number[] = [];
  nowMs = () => this.ms;
  random = () => this.randomValue;
  sleep = async (ms: number) => {
    this.slept.push(ms);
  };
}

async function rawRequest(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("bad input gets a 4xx in the documented error envelope, never a crash", () => {
  it("malformed JSON", async () => {
    const { call } = await start();
    const res = await call("campaign-uuid-1", '{"to": "+1234');
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      success: false,
      message: "The given data was invalid.",
      errors: { body: ["The request body must be valid JSON."] },
    });
  });

  it("a content type other than JSON", async () => {
    const { call } = await start();
    const res = await call("campaign-uuid-1", "to=+1234567890", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({ success: false, message: "Unsupported Media Type: the Content-Type must be application/json." });
  });

  it("a body over the limit, announced or streamed", async () => {
    const { call, url } = await start({ maxBodyBytes: 1024 });
    const res = await call("campaign-uuid-1", { to: "+1234567890", payload: { blob: "x".repeat(5000) } });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ success: false, message: "The request body is larger than 1024 bytes." });
    const chunked = await rawRequest(
      url,
      `POST /api/v1/campaigns/campaign-uuid-1/call HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer talq_test_token\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${"y".repeat(2048)}\r\n0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("an unknown route and a wrong method", async () => {
    const { url } = await start();
    const missing = await fetch(`${url}/api/v2/whatever`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ success: false, message: "No route for /api/v2/whatever." });
    const wrongMethod = await fetch(`${url}/api/v1/campaigns/campaign-uuid-1/call`, { method: "GET" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("a request that is not HTTP at all, after which the server still answers", async () => {
    const { url, call } = await start();
    const answer = await rawRequest(url, "HELLO THERE\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(answer).toContain('{"success":false,"message":"Malformed HTTP request."}');
    expect((await call("campaign-uuid-1", { to: "+1234567890" })).status).toBe(201);
  });
});

describe("calls and their lifecycle", () => {
  it("refuses a second call to a queued or active number, and allows it once the first completes", async () => {
    const clock = new FakeClock();
    const { call } = await start({ clock, lifecycle: { queuedMs: 1_000, activeMs: 2_000 } });
    const first = await call("campaign-uuid-1", { to: "+14155550123" });
    expect(first.status).toBe(201);
    const firstId = ((await first.json()) as { campaign_call: { id: string } }).campaign_call.id;

    const whileQueued = await call("campaign-uuid-1", { to: "+14155550123" });
    expect(whileQueued.status).toBe(409);
    expect(await whileQueued.json()).toMatchObject({ existing_call: { id: firstId, status: "queued" } });

    clock.ms += 1_500;
    const whileActive = await call("campaign-uuid-1", { to: "+14155550123" });
    expect(await whileActive.json()).toMatchObject({ existing_call: { id: firstId, status: "active" } });

    clock.ms += 1_500;
    expect((await call("campaign-uuid-1", { to: "+14155550123" })).status).toBe(201);
  });

  it("lets exactly one of many concurrent calls to one number through", async () => {
    const { call, url } = await start();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () => call("campaign-uuid-1", { to: "+14155550199" }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(39);
    const stats = await (await fetch(`${url}/_sim/stats`)).json();
    expect(stats).toEqual({ responses: { "201": 1, "409": 39 }, campaign_reads: {}, dropped: 0, calls: 1 });
  });

  it("gives the acceptance time of every call in ms", async () => {
    const clock = new FakeClock();
    const { call, url } = await start({ clock });
    await call("campaign-uuid-1", { to: "+14155550130" });
    clock.ms += 1_234;
    await call("campaign-uuid-1", { to: "+14155550131" });
    await call("campaign-paused", { to: "+14155550132" });
    expect(await (await fetch(`${url}/_sim/timeline`)).json()).toEqual({ accepted_ms: [clock.ms - 1_234, clock.ms] });
  });

  it("records payload, context and is_testing, and lists calls by campaign", async () => {
    const { call, url } = await start();
    await call("campaign-uuid-1", { to: "+14155550100", payload: { name: "Ada" }, context: { deal: 7 }, is_testing: true });
    await call("campaign-paused", { to: "+14155550101" });
    const { calls } = (await (await fetch(`${url}/_sim/calls?campaign_id=campaign-uuid-1`)).json()) as { calls: unknown[] };
    expect(calls).toEqual([
      {
        id: expect.any(String),
        campaign_id: "campaign-uuid-1",
        to: "+14155550100",
        payload: { name: "Ada" },
        context: { deal: 7 },
        is_testing: true,
        allow_duplicates: false,
        status: "queued",
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        traceparent: null,
      },
    ]);
  });

  it("records the traceparent each call was created with, as received, in the admin view only", async () => {
    const { call, url } = await start();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const created = await call("campaign-uuid-1", { to: "+14155550104" }, { headers: { traceparent } });
    expect(created.status).toBe(201);
    expect(JSON.stringify(await created.json())).not.toContain(traceparent);
    // Not parsed or judged: a malformed header is recorded as the client sent it.
    await call("campaign-uuid-1", { to: "+14155550105" }, { headers: { traceparent: "not-a-traceparent" } });
    await call("campaign-uuid-1", { to: "+14155550106" });
    const { calls } = (await (await fetch(`${url}/_sim/calls`)).json()) as { calls: { to: string; traceparent: unknown }[] };
    expect(calls.map(({ to, traceparent }) => ({ to, traceparent }))).toEqual([
      { to: "+14155550104", traceparent },
      { to: "+14155550105", traceparent: "not-a-traceparent" },
      { to: "+14155550106", traceparent: null },
    ]);
  });
});

describe("faults", () => {
  it("answers 500 to the configured share and records nothing for them", async () => {
    const clock = new FakeClock();
    const { call, url } = await start({ clock, faults: { error_rate: 0.3 } });
    clock.randomValue = 0.29;
    const failed = await call("campaign-uuid-1", { to: "+14155550102" });
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ success: false, message: "Internal server error." });
    clock.randomValue = 0.31;
    expect((await call("campaign-uuid-1", { to: "+14155550102" })).status).toBe(201);
    expect(((await (await fetch(`${url}/_sim/calls`)).json()) as { calls: unknown[] }).calls).toHaveLength(1);
  });

  it("changes at run time through PUT /_sim/faults and refuses bad fault sets", async () => {
    const { call, url } = await start();
    const put = await fetch(`${url}/_sim/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error_rate: 1 }),
    });
    expect(put.status).toBe(200);
    expect((await call("campaign-uuid-1", { to: "+14155550103" })).status).toBe(500);
    const bad = await fetch(`${url}/_sim/faults`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error_rate: "lots" }),
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ errors: { error_rate: [expect.any(String)] } });
    await fetch(`${url}/_sim/reset`, { method: "POST" });
    expect((await call("campaign-uuid-1", { to: "+14155550103" })).status).toBe(201);
  });

  it("throttles with its token bucket and says when to come back", async () => {
    const clock = new FakeClock();
    const { call } = await start({ clock, faults: { rate_limit_rps: 2, rate_limit_burst: 2 } });
    expect((await call("campaign-uuid-1", { to: "+14155550110" })).status).toBe(201);
    expect((await call("campaign-uuid-1", { to: "+14155550111" })).status).toBe(201);
    const limited = await call("campaign-uuid-1", { to: "+14155550112" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect(await limited.json()).toEqual({ success: false, message: "Rate limit exceeded" });
    clock.ms += 500;
    expect((await call("campaign-uuid-1", { to: "+14155550112" })).status).toBe(201);
  });

  it("writes Retry-After as an HTTP date when asked", async () => {
    const clock = new FakeClock();
    const { call } = await start({ clock, faults: { throttle_rate: 1, retry_after_seconds: 30, retry_after_format: "http-date" } });
    const limited = await call("campaign-uuid-1", { to: "+14155550113" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("Fri, 27 Nov 2026 10:00:30 GMT");
  });

  it("cuts the connection after accepting a call when dropping", async () => {
    const { call, url } = await start({ faults: { drop_rate: 1 } });
    await expect(call("campaign-uuid-1", { to: "+14155550114" })).rejects.toThrow();
    const stats = await (await fetch(`${url}/_sim/stats`)).json();
    expect(stats).toEqual({ responses: {}, campaign_reads: {}, dropped: 1, calls: 1 });
  });

  it("adds the configured latency to API answers only", async () => {
    const clock = new FakeClock();
    const { call, url } = await start({ clock, faults: { latency_ms: 300 } });
    await call("campaign-uuid-1", { to: "+14155550115" });
    await fetch(`${url}/_sim/stats`);
    expect(clock.slept).toEqual([300]);
  });
});

describe("tokens and phone validity", () => {
  it("accepts tokens set at run time and refuses the old ones", async () => {
    const { call, url } = await start();
    const put = await fetch(`${url}/_sim/tokens`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tokens: ["talq_rotated"] }),
    });
    expect(put.status).toBe(200);
    expect((await call("campaign-uuid-1", { to: "+14155550120" })).status).toBe(401);
    const rotated = await call("campaign-uuid-1", { to: "+14155550120" }, { headers: { authorization: "Bearer talq_rotated" } });
    expect(rotated.status).toBe(201);
    const bad = await fetch(`${url}/_sim/tokens`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tokens: ["sk_live"] }),
    });
    expect(bad.status).toBe(422);
    const read = await fetch(`${url}/api/v1/campaigns/campaign-uuid-1`, { headers: { authorization: "Bearer talq_test_token" } });
    expect(read.status).toBe(401);
    const stats = (await (await fetch(`${url}/_sim/stats`)).json()) as { responses: object; campaign_reads: object };
    expect(stats).toMatchObject({ responses: { "201": 1, "401": 1 }, campaign_reads: { "401": 1 } });
    await fetch(`${url}/_sim/reset`, { method: "POST" });
    expect((await call("campaign-uuid-1", { to: "+14155550121" })).status).toBe(201);
  });

  it("refuses an E.164-shaped number too short to dial", async () => {
    const { call } = await start();
    const res = await call("campaign-uuid-1", { to: "+1234567" });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ errors: { to: ["The to must be a valid phone number."] } });
  });
});
