import { type Attributes, type Context, context, type Link, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

export type { Attributes, Context, Link, Span } from "@opentelemetry/api";
export { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

let on = false;

/** Set by startTracing. */
export function setTracingOn(value: boolean): void {
  on = value;
}

/**
 * Whether this process records spans. Code that would build something only for a span (a
 * header, an attribute object, a context) asks first, so tracing off costs a boolean test.
 */
export function tracingOn(): boolean {
  return on;
}

/** The tracer callbridge's spans come from (the instrumentation scope), one per component. */
export function tracer(component: string) {
  return trace.getTracer(`callbridge.${component}`);
}

/**
 * Runs `work` inside a span named `name`, the span active (child spans and log lines find it),
 * ended when `work` settles. A throw marks the span as an error (its message is not recorded:
 * errors may quote a phone number) and is rethrown. With tracing off, `work` just runs.
 */
export function inSpan<T>(
  component: string,
  name: string,
  work: (span: Span | undefined) => Promise<T>,
  options: { readonly kind?: SpanKind; readonly attributes?: Attributes; readonly parent?: Context; readonly links?: Link[] } = {},
): Promise<T> {
  if (!on) return work(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer(component).startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      ...(options.attributes ? { attributes: options.attributes } : {}),
      ...(options.links ? { links: options.links } : {}),
    },
    parent,
  );
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span as failed with the error's type only (`error.type`, as the semantic conventions name it). */
export function failSpan(span: Span | undefined, error: unknown, type?: string): void {
  if (!span) return;
  const kind =
    type ??
    (typeof error === "object" && error !== null && "kind" in error ? String(error.kind) : error instanceof Error ? error.name : "error");
  span.setAttribute("error.type", kind);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The active span's ids for a log line (`trace_id`, `span_id`), or undefined outside a sampled span. */
export function activeTraceFields(): { trace_id: string; span_id: string } | undefined {
  if (!on) return undefined;
  return spanTraceFields(trace.getActiveSpan());
}

/**
 * A span's ids for a log line or an exemplar (`trace_id`, `span_id`), or undefined: no span, or
 * one not sampled (never exported, so its ids would lead nowhere).
 */
export function spanTraceFields(span: Span | undefined): { trace_id: string; span_id: string } | undefined {
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  // 0x01: sampled.
  return traceFlags & 1 ? { trace_id: traceId, span_id: spanId } : undefined;
}

/** Exemplar labels for a histogram observation: the active sampled span's trace id, or undefined. */
export function activeExemplar(): { trace_id: string } | undefined {
  const fields = activeTraceFields();
  return fields ? { trace_id: fields.trace_id } : undefined;
}
