// `bash scripts/check-jaeger.sh`: one person's request followed end to end in a real Jaeger.
//
// Starts Jaeger (JAEGER_BIN, with infra/jaeger/config.yaml), a Kafka instance of its own, Redis,
// the Talkover simulator, the ingest and the worker (tracing on: the standard OTEL_* variables
// pointing at Jaeger's OTLP/HTTP receiver) and Prometheus with exemplar storage (stack.ts). Sends
// one signed webhook, waits for its call at the simulator, then reads the trace back through
// Jaeger's query API and requires one trace from the ingest's webhook span to the worker's
// Talkover request span, whose span id is the parent id of the traceparent the simulator
// received (trace.ts); and exemplars with that trace id on the three latency histograms
// (exemplars.ts). Prints the trace as a tree, stops everything it started (by PID), exits 1 naming
// what failed.
//
// Env: JAEGER_BIN (required), PROMETHEUS_BIN (default /usr/bin/prometheus),
// CHECK_JAEGER_TIMEOUT_SECONDS (default 180), CHECK_JAEGER_HOLD=1 (after a pass, keep everything
// running until Ctrl-C, to look around: it prints the addresses).
import { randomUUID } from "node:crypto";
import { parseTraceparent } from "@callbridge/observability";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { eventually } from "../support/kafka.js";
import { exemplarsOfTrace, TRACED_HISTOGRAMS } from "./exemplars.js";
import { ROUTE, type Stack, startStack } from "./stack.js";
import { EXPECTED, type JaegerTracesAnswer, judgeTrace, renderTree, spanViews, type TraceVerdict } from "./trace.js";

const env = process.env;
const startedAt = Date.now();
const log = (line: string) => console.log(`[check-jaeger +${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${line}`);

const jaegerBin = env.JAEGER_BIN;
const timeoutSeconds = Number(env.CHECK_JAEGER_TIMEOUT_SECONDS ?? 180);
if (!jaegerBin || !(timeoutSeconds > 0)) {
  console.error(
    "check-jaeger: set JAEGER_BIN to a Jaeger v2 binary (scripts/check-jaeger.sh does), and CHECK_JAEGER_TIMEOUT_SECONDS > 0 if set",
  );
  process.exit(2);
}

let stack: Stack | undefined;
const giveUp = async (reason: string, code: number) => {
  log(reason);
  if (stack) console.error(stack.logTails());
  await stack?.stop();
  process.exit(code);
};
/** Set while holding after a pass: a signal then ends the hold instead of failing the run. */
let endHold: (() => void) | undefined;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => (endHold ? endHold() : void giveUp(`${signal}: stopping what was started`, 130)));
}
const deadline = setTimeout(() => void giveUp(`FAILED: gave up after ${timeoutSeconds} s`, 1), timeoutSeconds * 1000);

try {
  stack = await startStack({ jaegerBin, prometheusBin: env.PROMETHEUS_BIN ?? "/usr/bin/prometheus", env, log });
  const traceId = await followOneRequest(stack);
  log(`OK: one trace from the webhook to the Talkover call, read back from Jaeger; exemplars link to it (${traceId})`);
} catch (error) {
  clearTimeout(deadline);
  await giveUp(`FAILED: ${error instanceof Error ? error.message : String(error)}`, 1);
}
clearTimeout(deadline);
if (env.CHECK_JAEGER_HOLD === "1" && stack) {
  log(
    `holding until Ctrl-C (CHECK_JAEGER_HOLD=1): Jaeger's query API ${stack.jaegerQueryUrl}, Prometheus ${stack.prometheusUrl}, the ingest ${stack.ingestUrl}, the simulator ${stack.simUrl}`,
  );
  await new Promise<void>((resolve) => {
    endHold = resolve;
  });
}
log("stopping what was started");
await stack?.stop();
process.exit(0);

/** The check itself, on a running stack; answers the trace id or throws what failed. */
async function followOneRequest(running: Stack): Promise<string> {
  const lead = `check-jaeger-${randomUUID().slice(0, 8)}`;
  const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  const signed = standardWebhook({
    sourceId: ROUTE.source,
    secret: DEV_SECRETS.standardWebhooksSecret,
    id: `msg_${lead}`,
    payload: { type: "call.requested", data: { id: lead, phone } },
  });
  const sentAt = Date.now();
  const res = await sendWebhook(running.ingestUrl, signed, { signal: AbortSignal.timeout(10_000) });
  if (res.status >= 300) throw new Error(`the ingest answered the webhook ${res.status}: ${await res.text()}`);
  log(`webhook for lead ${lead} accepted (${res.status}); waiting for its call at the simulator`);

  const call = await eventually(
    async () => {
      const { calls } = (await (await fetch(`${running.simUrl}/_sim/calls`)).json()) as {
        calls: { id: string; context: { lead?: string }; traceparent?: string | null }[];
      };
      return calls.find((c) => c.context.lead === lead);
    },
    `the call for lead ${lead} at the simulator`,
    30_000,
  );
  if (call.traceparent === undefined)
    throw new Error("the simulator's /_sim/calls has no traceparent field (apps/talkover-sim records it)");
  const parent = parseTraceparent(call.traceparent ?? undefined);
  if (!parent)
    throw new Error(`the worker's request carried no valid traceparent (the simulator received ${JSON.stringify(call.traceparent)})`);
  log(`call ${call.id} placed ${Date.now() - sentAt} ms after the webhook; the simulator received traceparent ${call.traceparent}`);

  const verdict = await traceInJaeger(running.jaegerQueryUrl, parent.traceId, parent.spanId);
  console.log(`trace ${parent.traceId}, ${verdict.spans.length} spans:\n${renderTree(verdict.spans)}`);
  log(
    `one root, the ingest's ${EXPECTED.webhookSpan}; the span ${parent.spanId} the simulator named is the worker's ${EXPECTED.talkoverSpan}, below its consumer span, below the ingest's`,
  );
  const v3 = await fetch(`${running.jaegerQueryUrl}/api/v3/traces/${parent.traceId}`, { signal: AbortSignal.timeout(5_000) });
  if (!v3.ok) throw new Error(`Jaeger's v3 API answered ${v3.status} for the trace /api/traces found: ${await v3.text()}`);
  const v3Spans = countOtlpSpans(await v3.json());
  if (v3Spans !== verdict.spans.length)
    throw new Error(`the v3 API holds ${v3Spans} spans of the trace, /api/traces ${verdict.spans.length}`);
  log(`the v3 API (/api/v3/traces/{id}, OTLP JSON) answers the same ${v3Spans} spans`);

  for (const histogram of TRACED_HISTOGRAMS) {
    const found = await eventually(
      async () => {
        const exemplars = await exemplarsOfTrace(running.prometheusUrl, histogram, parent.traceId, sentAt);
        return exemplars.length > 0 ? exemplars : undefined;
      },
      `an exemplar of ${histogram} with trace_id ${parent.traceId} in Prometheus (query_exemplars)`,
      20_000,
    );
    log(`exemplar of ${histogram} with this trace id: ${found.join("; ")}`);
  }
  return parent.traceId;
}

/** Polls Jaeger until the trace is complete (spans arrive in batches), or fails with the last verdict. */
async function traceInJaeger(queryUrl: string, traceId: string, callSpanId: string): Promise<TraceVerdict & { complete: true }> {
  let last = "Jaeger has not answered yet";
  try {
    return await eventually(
      async () => {
        const res = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5_000) });
        const answer = (await res.json()) as JaegerTracesAnswer;
        const traces = answer.data ?? [];
        if (traces.length !== 1 || !traces[0]) {
          last = `GET /api/traces/${traceId} answered ${res.status} with ${traces.length} traces ${JSON.stringify(answer.errors ?? [])}`;
          return undefined;
        }
        const verdict = judgeTrace(spanViews(traces[0]), callSpanId);
        if (verdict.complete) return verdict;
        last = `${verdict.missing}; spans so far:\n${renderTree(verdict.spans)}`;
        return undefined;
      },
      `trace ${traceId} in Jaeger`,
      30_000,
    );
  } catch {
    throw new Error(`trace ${traceId} in Jaeger is not the request end to end: ${last}`);
  }
}

/** Spans in an OTLP JSON answer of Jaeger's v3 API: {result: {resourceSpans: [{scopeSpans: [{spans}]}]}}. */
function countOtlpSpans(answer: unknown): number {
  type Otlp = { result?: { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] } };
  return ((answer as Otlp).result?.resourceSpans ?? []).flatMap((r) => r.scopeSpans ?? []).flatMap((s) => s.spans ?? []).length;
}
