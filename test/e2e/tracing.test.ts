import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallResult, DLQ_HEADERS } from "@callbridge/schemas";
import { freePort, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { callbridge } from "../support/cli.js";
import { createTopics, eventually, jsonOf, readAll, type TestTopics } from "../support/kafka.js";
import { OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.js";
import { type RunningSimulator, SIM_TOKEN, startSimulator } from "../support/simulator.js";
import { spawnIngest, spawnWorker, stopGently, untilReady, type WorkerProcess, workerProcessEnv } from "../support/worker-process.js";

// One request followed end to end through OpenTelemetry: the ingest and the worker run as
// processes with nothing but the standard OTEL_* variables set (OTLP/HTTP, JSON encoding, to a
// small receiver here; every other setting the SDK's default, so spans arrive within the batch
// processor's 5 s), and the simulator records the traceparent each call request carried.

const brokers = inject("kafkaBrokers");
const SPAN_WAIT_MS = 30_000;
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

const ROUTES = `
sources:
  standard:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
routes:
  - name: now
    source: standard
    when: { type: call.requested }
    campaign_id: campaign-uuid-1
    to: data.phone
  - name: paused
    source: standard
    when: { type: call.paused }
    campaign_id: campaign-paused
    to: data.phone
`;

let receiver: OtlpReceiver;
let sim: RunningSimulator;
let topics: TestTopics;
let ingest: WorkerProcess;
let ingestUrl: string;
let worker: WorkerProcess;
let metricsUrls: { ingest: string; worker: string };
let otel: Record<string, string>;

beforeAll(async () => {
  receiver = await OtlpReceiver.start();
  otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" };
  sim = await startSimulator();
  topics = await createTopics(brokers, 3);
  const routes = join(mkdtempSync(join(tmpdir(), "tracing-routes-")), "routes.yaml");
  writeFileSync(routes, ROUTES);
  const [port, metricsPort, workerPort] = [await freePort(), await freePort(), await freePort()];
  ingest = spawnIngest({
    ...otel,
    KAFKA_BROKERS: brokers,
    ROUTES_FILE: routes,
    CALL_REQUESTS_TOPIC: topics.callRequests,
    DLQ_TOPIC: topics.deadLetters,
    ENSURE_TOPICS: "false",
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    // Its "webhook accepted" line, to find the trace in it.
    LOG_LEVEL: "info",
  });
  ingestUrl = `http://127.0.0.1:${port}`;
  // Parking off: a request to a paused campaign is dead-lettered, to be replayed by hand.
  worker = spawnWorker({
    ...otel,
    ...workerProcessEnv({ brokers, topics, simUrl: sim.url }, { PORT: String(workerPort), PARK_CAMPAIGN_STATUSES: "" }),
  });
  metricsUrls = { ingest: `http://127.0.0.1:${metricsPort}/metrics`, worker: `http://127.0.0.1:${workerPort}/metrics` };
  await Promise.all([untilReady(ingest, `http://127.0.0.1:${metricsPort}`), untilReady(worker, `http://127.0.0.1:${workerPort}`)]);
});

afterAll(async () => {
  // SIGTERM: each app exports its last spans before it exits.
  const exits = await Promise.all([ingest, worker].filter(Boolean).map(stopGently));
  await sim?.sim.close();
  await receiver?.close();
  expect(exits).toEqual([0, 0]);
});

interface SimCall {
  readonly id: string;
  readonly to: string;
  readonly traceparent?: string | null;
}

async function simCallTo(phone: string): Promise<SimCall> {
  return eventually(
    async () => {
      const { calls } = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: SimCall[] };
      return calls.find((c) => c.to === phone);
    },
    `a call to ${phone.slice(0, 6)}… at the simulator`,
  );
}

/** A traceparent's trace id and parent (span) id. */
function parts(traceparent: string | null | undefined): { traceId: string; spanId: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(traceparent ?? "");
  if (!match) throw new Error(`not a W3C traceparent: ${traceparent}`);
  return { traceId: match[1] as string, spanId: match[2] as string };
}

/** Waits until the receiver holds a span of `traceId` matching `test`. */
function spanOf(traceId: string, what: string, test: (span: ReceivedSpan) => boolean): Promise<ReceivedSpan> {
  return eventually(() => receiver.trace(traceId).find(test), what, SPAN_WAIT_MS);
}

async function resultFor(outcome: CallResult["outcome"], phone: string): Promise<CallResult> {
  return eventually(async () => {
    const results = (await readAll(brokers, topics.callResults)).map((r) => CallResult.parse(jsonOf(r)));
    return results.find((r) => r.outcome === outcome && r.to === phone);
  }, `a ${outcome} result`);
}

function signed(type: string, lead: string, phone: string) {
  return standardWebhook({
    sourceId: "standard",
    secret: DEV_SECRETS.standardWebhooksSecret,
    id: `msg_${lead}`,
    payload: { type, data: { id: lead, phone } },
  });
}

describe("one trace from the CRM's webhook to the Talkover call", () => {
  it("a webhook that ends placed: the sender's trace holds the ingest's spans, the worker's and the Talkover request's, whose traceparent the API received", async () => {
    const phone = "+14155550171";
    // The sender's own trace context: the webhook joins it.
    const senderTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const senderSpan = "00f067aa0ba902b7";
    const webhook = signed("call.requested", uniqueName("lead"), phone);
    const res = await sendWebhook(ingestUrl, {
      ...webhook,
      headers: { ...webhook.headers, traceparent: `00-${senderTrace}-${senderSpan}-01` },
    });
    expect(res.status).toBe(202);

    const call = await simCallTo(phone);
    const received = parts(call.traceparent);
    expect(received.traceId).toBe(senderTrace);

    const server = await spanOf(senderTrace, "the ingest's webhook span", (s) => s.kind === SERVER);
    expect(server).toMatchObject({ service: "callbridge-ingest", name: "POST /webhooks/{source_id}", parentSpanId: senderSpan });
    expect(server.attributes).toMatchObject({
      "http.response.status_code": 202,
      "callbridge.source.id": "standard",
      "callbridge.webhook.verified": true,
      "callbridge.webhook.events": 1,
    });
    const keys = server.attributes["callbridge.idempotency_keys"] as string[];
    expect(keys).toEqual([expect.stringMatching(/^standard:msg_lead-.*:now$/)]);

    // The record carried the webhook's span: the worker's span of the request is its child.
    const processed = await spanOf(senderTrace, "the worker's process span", (s) => s.kind === CONSUMER);
    expect(processed).toMatchObject({ service: "callbridge-worker", parentSpanId: server.spanId });
    expect(processed.attributes["callbridge.idempotency_key"]).toBe(keys[0]);
    expect(processed.attributes).toMatchObject({ "callbridge.outcome": "placed", "callbridge.campaign.id": "campaign-uuid-1" });
    expect(String(processed.attributes["callbridge.to"])).not.toContain(phone);

    const request = await spanOf(senderTrace, "the Talkover request's span", (s) => s.kind === CLIENT);
    expect(request).toMatchObject({ service: "callbridge-worker", name: "POST /api/v1/campaigns/{campaign_id}/call" });
    expect(request.attributes).toMatchObject({ "http.response.status_code": 201, "callbridge.call.id": call.id });
    // The request carried its own span as the parent: the API's side of the call hangs under it.
    expect(received.spanId).toBe(request.spanId);
    const attempt = receiver.trace(senderTrace).find((s) => s.spanId === request.parentSpanId);
    expect(attempt?.name).toBe("call attempt");
    expect(attempt?.parentSpanId).toBe(processed.spanId);
    expect(attempt?.attributes).toMatchObject({ "callbridge.attempt": 1, "callbridge.attempt.outcome": "201" });
    expect(typeof attempt?.attributes["callbridge.limiter.wait_ms"]).toBe("number");
    // The steps between are events of the process span, in order, with what they answered.
    expect(processed.events.map((e) => [e.name, Object.values(e.attributes)[0]])).toEqual([
      ["ledger begin", "claimed"],
      ["recipient guard", "place"],
      ["ledger finish", "true"],
    ]);

    expect((await resultFor("placed", phone)).trace_id).toBe(senderTrace);

    // The ingest's log line of the webhook names the trace and its span.
    const accepted = ingest
      .output()
      .split("\n")
      .filter((line) => line.includes('"webhook accepted"'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
    expect(accepted).toContainEqual(expect.objectContaining({ trace_id: senderTrace, span_id: server.spanId }));
    // Latency histograms keep the trace as an exemplar (OpenMetrics, as Prometheus asks for it).
    const exemplar = `# {trace_id="${senderTrace}"}`;
    const scrape = async (url: string) => {
      const res = await fetch(url, { headers: { accept: "application/openmetrics-text; version=1.0.0" } });
      expect(res.headers.get("content-type")).toContain("application/openmetrics-text");
      return res.text();
    };
    const ingestMetrics = (await scrape(metricsUrls.ingest)).split("\n");
    expect(
      ingestMetrics.filter((l) => l.startsWith("callbridge_ingest_request_duration_seconds_bucket") && l.includes(exemplar)),
    ).not.toEqual([]);
    const workerMetrics = (await scrape(metricsUrls.worker)).split("\n");
    for (const histogram of ["callbridge_worker_api_request_duration_seconds_bucket", "callbridge_worker_webhook_to_call_seconds_bucket"]) {
      expect(workerMetrics.filter((l) => l.startsWith(histogram) && l.includes(exemplar))).not.toEqual([]);
    }
  });

  it("a dead-lettered request, replayed: the letter and its result carry the trace, dlq inspect prints it, and the replay's trace links to it", async () => {
    const phone = "+14155550172";
    expect((await sendWebhook(ingestUrl, signed("call.paused", uniqueName("lead"), phone))).status).toBe(202);
    const result = await resultFor("dead_lettered", phone);
    const letter = await eventually(
      async () => (await readAll(brokers, topics.deadLetters)).find((l) => l.key?.toString().endsWith(phone)),
      "the dead letter",
    );
    expect(letter.headers[DLQ_HEADERS.errorCode]).toBe("CAMPAIGN_NOT_ACTIVE");
    const original = parts(letter.headers.traceparent);
    expect(result.trace_id).toBe(original.traceId);
    // The letter names the worker's span that dead-lettered it, in the webhook's trace.
    const dlqSpan = await spanOf(original.traceId, "the span that wrote the letter", (s) => s.spanId === original.spanId);
    expect(dlqSpan).toMatchObject({ service: "callbridge-worker", kind: CONSUMER });
    expect(dlqSpan.attributes["callbridge.outcome"]).toBe("dead_lettered");
    expect((await spanOf(original.traceId, "the ingest's webhook span", (s) => s.kind === SERVER)).service).toBe("callbridge-ingest");

    const cli = ["--brokers", brokers, "--requests-topic", topics.callRequests, "--dlq-topic", topics.deadLetters];
    cli.push("--results-topic", topics.callResults, "--replays-topic", uniqueName("replays"));
    const inspected = await callbridge([...cli, "dlq", "inspect", `${letter.partition}:${letter.offset}`]);
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toContain(original.traceId);

    const activated = await fetch(`${sim.url}/api/v1/campaigns/campaign-paused/status`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${SIM_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ status: "active" }),
    });
    expect(activated.status).toBe(200);
    const replay = await callbridge([...cli, "dlq", "replay", "--code", "CAMPAIGN_NOT_ACTIVE"], otel);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain("replayed 1");

    const replayed = parts((await simCallTo(phone)).traceparent);
    expect(replayed.traceId).not.toBe(original.traceId);
    const replaySpan = await spanOf(replayed.traceId, "the CLI's replay span", (s) => s.service === "callbridge-cli");
    expect(replaySpan).toMatchObject({ kind: PRODUCER, parentSpanId: "" });
    expect(replaySpan.links).toEqual([{ traceId: original.traceId, spanId: original.spanId }]);
    const processed = await spanOf(replayed.traceId, "the worker's span of the replayed request", (s) => s.kind === CONSUMER);
    expect(processed).toMatchObject({ service: "callbridge-worker", parentSpanId: replaySpan.spanId });
    expect(processed.attributes["callbridge.outcome"]).toBe("placed");
    expect((await resultFor("placed", phone)).trace_id).toBe(replayed.traceId);
  });

  it("a request deferred by a long Retry-After: the hop after the wait continues the same trace, under the span that deferred it", async () => {
    const phone = "+14155550173";
    // Every call answered 429 with Retry-After: 15 s, the worker's DEFER_ABOVE_MS (default): it waits durably.
    await sim.setFaults({ throttle_rate: 1, retry_after_seconds: 15 });
    expect((await sendWebhook(ingestUrl, signed("call.requested", uniqueName("lead"), phone))).status).toBe(202);
    const deferred = await resultFor("deferred", phone);
    await sim.setFaults({});
    const traceId = deferred.trace_id ?? "";
    expect(parts((await simCallTo(phone)).traceparent).traceId).toBe(traceId);
    expect((await resultFor("placed", phone)).trace_id).toBe(traceId);

    const first = await spanOf(
      traceId,
      "the span that deferred it",
      (s) => s.kind === CONSUMER && s.attributes["callbridge.outcome"] === "deferred",
    );
    const throttled = receiver.trace(traceId).find((s) => s.kind === CLIENT && s.attributes["http.response.status_code"] === 429);
    expect(throttled?.attributes["error.type"]).toBe("429");
    const second = await spanOf(
      traceId,
      "the span that placed it",
      (s) => s.kind === CONSUMER && s.attributes["callbridge.outcome"] === "placed",
    );
    expect(second.parentSpanId).toBe(first.spanId);
    expect(second.attributes["messaging.destination.name"]).toMatch(/\.deferred\./);
    expect(second.attributes["callbridge.deferral.reason"]).toBe("rate_limited");
  }, 90_000);
});
