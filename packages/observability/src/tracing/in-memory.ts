import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, NodeTracerProvider, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { setTracingOn } from "./spans.js";

export type { ReadableSpan } from "@opentelemetry/sdk-trace-node";

/** Spans kept in memory by a registered provider; see traceInMemory. */
export interface InMemoryTracing {
  /** The spans ended so far, in the order they ended. */
  spans(): readonly ReadableSpan[];
  reset(): void;
  /** Unregisters the provider, the propagator and the context manager, and turns tracing off. */
  stop(): Promise<void>;
}

/**
 * Registers a tracer provider that keeps every span in memory (the SDK's InMemorySpanExporter,
 * exported as each span ends), the W3C propagator and the AsyncLocalStorage context manager, as
 * startTracing registers the real thing, and turns tracing on: for tests of code that makes
 * spans, without a collector and without a second copy of the OpenTelemetry API.
 */
export function traceInMemory(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  setTracingOn(true);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async stop() {
      setTracingOn(false);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
