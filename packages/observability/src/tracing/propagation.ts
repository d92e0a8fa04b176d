import { type Context, context, isSpanContextValid, propagation, type SpanContext, TraceFlags, trace } from "@opentelemetry/api";
import { tracingOn } from "./spans.js";

/**
 * The W3C Trace Context header (https://www.w3.org/TR/trace-context/), carried in HTTP requests
 * and in Kafka record headers (the name OpenTelemetry's Kafka instrumentations use too).
 */
export const TRACEPARENT_HEADER = "traceparent";
export const TRACESTATE_HEADER = "tracestate";

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const getter = {
  keys: (carrier: HeaderBag) => Object.keys(carrier),
  get: (carrier: HeaderBag, key: string) => carrier[key],
};

/**
 * The context a message or request continues: its `traceparent` (and `tracestate`) parsed by the
 * registered propagator, on top of `base`. A header that does not parse is ignored (a new trace
 * starts), as the W3C recommendation says. With tracing off, `base` unchanged.
 */
export function contextFromHeaders(headers: HeaderBag, base: Context = context.active()): Context {
  if (!tracingOn() || headers[TRACEPARENT_HEADER] === undefined) return base;
  return propagation.extract(base, headers, getter);
}

/**
 * The headers that carry `ctx`'s span to the next hop (`traceparent`, `tracestate` when set), to
 * add to a Kafka record or an HTTP request; empty with tracing off or no span in `ctx`.
 */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  if (tracingOn()) propagation.inject(ctx, headers);
  return headers;
}

/**
 * Record headers with the trace header replaced by `ctx`'s (or left as they were with tracing
 * off): what a hop writes carries the span that wrote it, not the one it read.
 */
export function withTraceHeaders<H extends Record<string, string>>(headers: H, ctx: Context = context.active()): H {
  if (!tracingOn()) return headers;
  const next = traceHeaders(ctx);
  if (next[TRACEPARENT_HEADER] === undefined) return headers;
  const { [TRACESTATE_HEADER]: _dropped, ...rest } = headers;
  return { ...rest, ...next } as H;
}

/**
 * A `traceparent` header's span context, parsed by the W3C rules whether or not tracing is on
 * (the CLI prints trace ids of letters written by traced processes): version 00, 32 hex trace id,
 * 16 hex parent id, 2 hex flags, neither id all zeros. Undefined when absent or malformed.
 */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (value === undefined) return undefined;
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/.exec(value.trim());
  if (!match || match[1] === "ff" || (match[1] === "00" && match[5] !== undefined)) return undefined;
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The trace id the active span belongs to, or undefined (tracing off, or no span). */
export function activeTraceId(): string | undefined {
  if (!tracingOn()) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}
