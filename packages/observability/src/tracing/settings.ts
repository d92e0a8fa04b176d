/**
 * Whether and how a process exports traces, read from the OpenTelemetry SDK's standard
 * environment variables (OpenTelemetry specification, "Environment Variable Specification" and
 * "OTLP Exporter Configuration"). Tracing is off unless asked for, so a deployment that sets
 * nothing pays nothing: it is on when `OTEL_TRACES_EXPORTER` names an exporter, or an OTLP
 * endpoint is set and `OTEL_TRACES_EXPORTER` is not `none`; `OTEL_SDK_DISABLED=true` turns it
 * off whatever else is set. (The SDK's own default, `otlp` to localhost:4318, would send spans
 * to nowhere on every machine that has no collector.)
 */
export type TracingSettings =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** `otlp` (to `otlpUrl`) and/or `console` (spans printed to stdout, for debugging). */
      readonly exporters: readonly ("otlp" | "console")[];
      /** The OTLP/HTTP traces URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
      readonly otlpUrl: string;
      readonly protocol: "http/protobuf" | "http/json";
    };

export type TracingSettingsResult =
  | { readonly ok: true; readonly settings: TracingSettings }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The spec's default OTLP/HTTP endpoint. */
const DEFAULT_OTLP_ENDPOINT = "http://localhost:4318";
const EXPORTERS = new Set(["otlp", "console", "none"]);
const PROTOCOLS = new Set(["http/protobuf", "http/json"]);
/** The samplers the SDK builds from OTEL_TRACES_SAMPLER (jaeger_remote and xray need extra packages). */
const SAMPLERS = new Set([
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
]);

/** Reads the tracing settings; every problem names its variable (the start-up message lists them). */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv): TracingSettingsResult {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === undefined || text === "" ? undefined : text;
  };
  const problems: string[] = [];
  const disabled = value("OTEL_SDK_DISABLED");
  if (disabled !== undefined && !["true", "false"].includes(disabled.toLowerCase())) {
    problems.push(`OTEL_SDK_DISABLED must be true or false (got ${JSON.stringify(disabled)})`);
  }
  const named = (value("OTEL_TRACES_EXPORTER") ?? "")
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "");
  for (const exporter of named.filter((e) => !EXPORTERS.has(e))) {
    problems.push(`OTEL_TRACES_EXPORTER: ${JSON.stringify(exporter)} is not supported here (otlp, console or none)`);
  }
  const tracesEndpoint = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = value("OTEL_EXPORTER_OTLP_ENDPOINT");
  const otlpUrl = tracesEndpoint ?? `${(endpoint ?? DEFAULT_OTLP_ENDPOINT).replace(/\/+$/, "")}/v1/traces`;
  const urlVariable = tracesEndpoint !== undefined ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT";
  if (!isHttpUrl(otlpUrl)) problems.push(`${urlVariable} must be an http:// or https:// URL`);
  const protocolVariable =
    value("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") !== undefined ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL" : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = value(protocolVariable) ?? "http/protobuf";
  if (!PROTOCOLS.has(protocol)) {
    problems.push(
      `${protocolVariable}: ${JSON.stringify(protocol)} is not supported here (http/protobuf or http/json; grpc is not built in)`,
    );
  }
  const sampler = value("OTEL_TRACES_SAMPLER");
  if (sampler !== undefined && !SAMPLERS.has(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER: ${JSON.stringify(sampler)} is not supported here (${[...SAMPLERS].join(", ")})`);
  }
  const ratio = value("OTEL_TRACES_SAMPLER_ARG");
  if (sampler?.endsWith("traceidratio") && ratio !== undefined && !(Number(ratio) >= 0 && Number(ratio) <= 1)) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG must be a ratio from 0 to 1 for ${sampler} (got ${JSON.stringify(ratio)})`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const wanted = named.length > 0 ? !named.includes("none") : endpoint !== undefined || tracesEndpoint !== undefined;
  if (disabled?.toLowerCase() === "true" || !wanted) return { ok: true, settings: { enabled: false } };
  const exporters = named.length > 0 ? named.filter((e): e is "otlp" | "console" => e !== "none") : (["otlp"] as const);
  return {
    ok: true,
    settings: {
      enabled: true,
      exporters,
      otlpUrl,
      protocol: protocol as "http/protobuf" | "http/json",
    },
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
