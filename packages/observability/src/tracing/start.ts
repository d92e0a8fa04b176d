import { context, DiagLogLevel, diag, propagation, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import type { Logger } from "pino";
import { diagLogger } from "./diag-log.js";
import type { TracingSettings } from "./settings.js";
import { setTracingOn } from "./spans.js";

/** A running tracer provider; `shutdown` exports what is buffered, then unregisters it. */
export interface Tracing {
  readonly enabled: boolean;
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: async () => undefined };

/**
 * Registers the process's tracer provider (the global one `@opentelemetry/api` hands out), the
 * W3C Trace Context propagator and (unless `asyncContext: false`) an AsyncLocalStorage context
 * manager, so spans started in this process find their parent across `await`s. Off settings register nothing: the API's
 * no-op tracer answers, and callbridge's helpers skip their work (see `tracingOn`).
 *
 * Spans are batched (OTEL_BSP_* tune the batch) and sent to the OTLP/HTTP endpoint; the
 * exporter reads OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT and _COMPRESSION itself; the sampler
 * comes from OTEL_TRACES_SAMPLER (default parentbased_always_on: a sender's sampled flag is
 * followed). An export that fails is a warning (diagLogger: one per problem per minute), never thrown.
 */
export function startTracing(
  settings: TracingSettings,
  defaultServiceName: string,
  logger?: Logger,
  options: { readonly asyncContext?: boolean } = {},
): Tracing {
  if (!settings.enabled) return OFF;
  if (logger) diag.setLogger(diagLogger(logger, settings.exporters.includes("otlp") ? settings.otlpUrl : undefined), DiagLogLevel.WARN);
  const spanProcessors: SpanProcessor[] = settings.exporters.map((name) => {
    if (name === "console") return new BatchSpanProcessor(new ConsoleSpanExporter());
    const exporter =
      settings.protocol === "http/json"
        ? new OtlpJsonExporter({ url: settings.otlpUrl })
        : new OtlpProtobufExporter({ url: settings.otlpUrl });
    return new BatchSpanProcessor(exporter);
  });
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors });
  // `asyncContext: false` registers no context manager: the active context is always the root,
  // and the service passes its spans' contexts by hand (cheaper on Node 20, see the ingest).
  provider.register(options.asyncContext === false ? { contextManager: null } : {});
  setTracingOn(true);
  return {
    enabled: true,
    async shutdown() {
      setTracingOn(false);
      await provider.shutdown();
      // Back to the API's no-ops (a test, or a CLI command, may start tracing again).
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
