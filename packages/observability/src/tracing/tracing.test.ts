import { Writable } from "node:stream";
import { context, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { createRegistry, exemplarsWhenTracing, Histogram, tracedObserver } from "../metrics.js";
import { contextFromHeaders, parseTraceparent, traceHeaders, withTraceHeaders } from "./propagation.js";
import { activeTraceFields, inSpan, setTracingOn } from "./spans.js";

// The helpers against the real SDK: a provider registered as the apps register theirs (W3C
// propagator, AsyncLocalStorage context), spans kept in memory.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  provider.register();
  setTracingOn(true);
});
afterAll(async () => {
  setTracingOn(false);
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const SENDER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("tracing helpers", () => {
  it("a traceparent read from headers is the parent of the next span, and the span's own traceparent is written onward", async () => {
    const parent = contextFromHeaders({ traceparent: SENDER });
    const headers = await inSpan("test", "hop", async () => traceHeaders(), { parent });
    const span = exporter.getFinishedSpans().find((s) => s.name === "hop");
    expect(span?.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    expect(span?.spanContext().traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(headers.traceparent).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${span?.spanContext().spanId}-01`);
  });

  it("a malformed traceparent starts a new trace", async () => {
    const parent = contextFromHeaders({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" });
    await inSpan("test", "fresh", async () => undefined, { parent });
    const span = exporter.getFinishedSpans().find((s) => s.name === "fresh");
    expect(span?.parentSpanContext).toBeUndefined();
    expect(span?.spanContext().traceId).not.toMatch(/^0+$/);
  });

  it("withTraceHeaders replaces the trace headers a record came with, and keeps the rest", async () => {
    const headers = { traceparent: SENDER, tracestate: "vendor=1", route: "r" };
    const out = await inSpan("test", "write", async () => withTraceHeaders(headers));
    expect(out.route).toBe("r");
    expect(out.tracestate).toBeUndefined();
    expect(parseTraceparent(out.traceparent)?.traceId).not.toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("a throw marks the span as an error with its type, and is rethrown", async () => {
    class BoomError extends Error {}
    await expect(inSpan("test", "fails", async () => Promise.reject(new BoomError("+14155550100 refused")))).rejects.toThrow(BoomError);
    const span = exporter.getFinishedSpans().find((s) => s.name === "fails");
    expect(span?.status.code).toBe(2);
    expect(span?.attributes["error.type"]).toBe("Error");
    expect(JSON.stringify(span?.events)).not.toContain("+1415");
  });

  it("log lines inside a span carry its trace_id and span_id", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger({ name: "t", destination, mixin: activeTraceFields });
    logger.info("outside");
    const ids = await inSpan("test", "logged", async (span) => {
      logger.info("inside");
      return span?.spanContext();
    });
    const [outside, inside] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(outside?.trace_id).toBeUndefined();
    expect(inside).toMatchObject({ trace_id: ids?.traceId, span_id: ids?.spanId });
  });

  it("a latency histogram keeps the trace id of an observation made in a span as its exemplar (OpenMetrics)", async () => {
    const registry = createRegistry();
    const histogram = new Histogram({
      name: "t_seconds",
      help: "t",
      labelNames: ["k"],
      buckets: [0.1, 1],
      registers: [registry],
      ...exemplarsWhenTracing(),
    });
    const observer = tracedObserver(histogram, { k: "a" });
    const traceId = await inSpan("test", "observed", async (span) => {
      observer.observe(0.5);
      return span?.spanContext().traceId;
    });
    expect(registry.contentType).toContain("application/openmetrics-text");
    expect(await registry.metrics()).toContain(`t_seconds_bucket{le="1",k="a"} 1 # {trace_id="${traceId}"} 0.5`);
  });

  it("parseTraceparent follows the W3C rules", () => {
    expect(parseTraceparent(SENDER)).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
    });
    for (const bad of [
      undefined,
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    // A later version may append fields; its first four are read.
    expect(parseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra")?.spanId).toBe("00f067aa0ba902b7");
  });
});

describe("tracing off", () => {
  it("writes no trace header, and observes without exemplars", async () => {
    setTracingOn(false);
    try {
      expect(traceHeaders()).toEqual({});
      const headers = { traceparent: SENDER };
      expect(withTraceHeaders(headers)).toBe(headers);
      expect(await inSpan("test", "not recorded", async (span) => span)).toBeUndefined();
      const registry = createRegistry();
      expect(registry.contentType).toContain("text/plain");
    } finally {
      setTracingOn(true);
    }
  });
});
