// One trace as Jaeger's query API returns it (GET /api/traces/{traceId}, the JSON its UI reads),
// and what the check requires of it: the request from the webhook to the Talkover call in one
// tree, the call's span the one whose id the simulator received as the traceparent's parent id.

/** The span names and services the apps give (apps/ingest, apps/worker; docs/tracing.md). */
export const EXPECTED = {
  ingestService: "callbridge-ingest",
  workerService: "callbridge-worker",
  webhookSpan: "POST /webhooks/{source_id}",
  talkoverSpan: "POST /api/v1/campaigns/{campaign_id}/call",
  /** The simulator's answer to a call it placed. */
  placedStatus: "201",
} as const;

interface JaegerTag {
  readonly key: string;
  readonly value: unknown;
}

interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly references?: readonly { readonly refType: string; readonly traceID: string; readonly spanID: string }[];
  readonly startTime: number;
  readonly duration: number;
  readonly tags?: readonly JaegerTag[];
  readonly processID: string;
}

export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly JaegerSpan[];
  readonly processes: Readonly<Record<string, { readonly serviceName: string }>>;
}

export interface JaegerTracesAnswer {
  readonly data: readonly JaegerTrace[] | null;
  readonly errors?: readonly { readonly code?: number; readonly msg?: string }[] | null;
}

/** A span with what the check reads from it. */
export interface SpanView {
  readonly id: string;
  readonly parent: string | undefined;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
  readonly startUs: number;
  readonly durationUs: number;
  readonly status: string | undefined;
}

export function spanViews(trace: JaegerTrace): SpanView[] {
  return trace.spans.map((span) => {
    const tag = (key: string) => span.tags?.find((t) => t.key === key)?.value;
    return {
      id: span.spanID,
      parent: span.references?.find((r) => r.refType === "CHILD_OF" && r.traceID === span.traceID)?.spanID,
      service: trace.processes[span.processID]?.serviceName ?? "?",
      name: span.operationName,
      kind: String(tag("span.kind") ?? "internal"),
      startUs: span.startTime,
      durationUs: span.duration,
      status: tag("http.response.status_code") === undefined ? undefined : String(tag("http.response.status_code")),
    };
  });
}

export type TraceVerdict =
  | { readonly complete: true; readonly spans: readonly SpanView[] }
  | { readonly complete: false; readonly missing: string; readonly spans: readonly SpanView[] };

/**
 * Whether the spans hold the whole request: the ingest's webhook span as the one root; the span
 * with id `callSpanId` (the traceparent's parent id at the simulator) the worker's Talkover
 * request, a CLIENT span answered 201; above it a CONSUMER span of the worker whose parent is a
 * span of the ingest (the context crossed Kafka in the record's headers). Spans arrive in
 * batches, so an incomplete answer names what is missing yet and is asked again.
 */
export function judgeTrace(spans: readonly SpanView[], callSpanId: string): TraceVerdict {
  const byId = new Map(spans.map((span) => [span.id, span]));
  const incomplete = (missing: string): TraceVerdict => ({ complete: false, missing, spans });
  const services = new Set(spans.map((span) => span.service));
  for (const service of [EXPECTED.ingestService, EXPECTED.workerService]) {
    if (!services.has(service)) return incomplete(`no span of ${service} (services: ${[...services].join(", ") || "none"})`);
  }
  const call = byId.get(callSpanId);
  if (!call) return incomplete(`no span with the id ${callSpanId} the simulator received as the traceparent's parent id`);
  if (call.service !== EXPECTED.workerService || call.kind !== "client" || call.name !== EXPECTED.talkoverSpan) {
    return incomplete(
      `span ${callSpanId} is ${call.kind} "${call.name}" of ${call.service}, not the worker's client span "${EXPECTED.talkoverSpan}"`,
    );
  }
  if (call.status !== EXPECTED.placedStatus)
    return incomplete(`the Talkover span records status ${call.status}, not ${EXPECTED.placedStatus}`);
  const orphans = spans.filter((span) => span.parent !== undefined && !byId.has(span.parent));
  if (orphans.length > 0) return incomplete(`parents not (yet) in the trace: ${orphans.map((s) => `${s.name} -> ${s.parent}`).join(", ")}`);
  const roots = spans.filter((span) => span.parent === undefined);
  const [root] = roots;
  if (roots.length !== 1 || !root) return incomplete(`${roots.length} root spans (${roots.map((s) => s.name).join(", ")}), not one`);
  if (root.service !== EXPECTED.ingestService || root.kind !== "server" || root.name !== EXPECTED.webhookSpan) {
    return incomplete(`the root is ${root.kind} "${root.name}" of ${root.service}, not the ingest's server span "${EXPECTED.webhookSpan}"`);
  }
  const ancestors = ancestorsOf(call, byId);
  const chain = ancestors.map((s) => `${s.service} ${s.kind} "${s.name}"`).join(" <- ");
  const consumerAt = ancestors.findIndex((span) => span.service === EXPECTED.workerService && span.kind === "consumer");
  if (consumerAt < 0) return incomplete(`no consumer span of the worker above the Talkover span (${chain})`);
  if (ancestors[consumerAt + 1]?.service !== EXPECTED.ingestService) {
    return incomplete(`the worker's consumer span's parent is not a span of the ingest (${chain})`);
  }
  return { complete: true, spans };
}

function ancestorsOf(span: SpanView, byId: ReadonlyMap<string, SpanView>): SpanView[] {
  const chain: SpanView[] = [];
  for (let parent = span.parent; parent !== undefined && chain.length < 100; ) {
    const next = byId.get(parent);
    if (!next) break;
    chain.push(next);
    parent = next.parent;
  }
  return chain;
}

/** The spans as an indented tree, children in start order: `service  kind  name  duration [status]`. */
export function renderTree(spans: readonly SpanView[]): string {
  const children = new Map<string | undefined, SpanView[]>();
  const ids = new Set(spans.map((s) => s.id));
  for (const span of [...spans].sort((a, b) => a.startUs - b.startUs)) {
    const parent = span.parent !== undefined && ids.has(span.parent) ? span.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const status = span.status ? ` [${span.status}]` : "";
      const ms = (span.durationUs / 1000).toFixed(1);
      lines.push(`${"  ".repeat(depth)}${span.service}  ${span.kind}  ${span.name}  ${ms} ms${status}  (${span.id})`);
      walk(span.id, depth + 1);
    }
  };
  walk(undefined, 1);
  return lines.join("\n");
}
