import { describe, expect, it } from "vitest";
import { tracingSettingsFromEnv } from "./settings.js";

describe("tracing settings from the standard OTEL_* variables", () => {
  it.each([
    [{}, { enabled: false }],
    [{ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, { enabled: false }],
    [{ OTEL_SDK_DISABLED: "true", OTEL_TRACES_EXPORTER: "otlp" }, { enabled: false }],
    [{ OTEL_SDK_DISABLED: "TRUE", OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }, { enabled: false }],
    [
      { OTEL_TRACES_EXPORTER: "otlp" },
      { enabled: true, exporters: ["otlp"], otlpUrl: "http://localhost:4318/v1/traces", protocol: "http/protobuf" },
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" },
      { enabled: true, exporters: ["otlp"], otlpUrl: "http://collector:4318/v1/traces", protocol: "http/protobuf" },
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://c.example/custom/path", OTEL_EXPORTER_OTLP_ENDPOINT: "http://other:4318" },
      { enabled: true, exporters: ["otlp"], otlpUrl: "https://c.example/custom/path", protocol: "http/protobuf" },
    ],
    [
      { OTEL_TRACES_EXPORTER: "console, otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_SDK_DISABLED: "false" },
      { enabled: true, exporters: ["console", "otlp"], otlpUrl: "http://localhost:4318/v1/traces", protocol: "http/json" },
    ],
    [
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      },
      { enabled: true, exporters: ["otlp"], otlpUrl: "http://c:4318/v1/traces", protocol: "http/json" },
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }, { enabled: false }],
  ])("%j → %j", (env, settings) => {
    expect(tracingSettingsFromEnv(env)).toEqual({ ok: true, settings });
  });

  it.each([
    [{ OTEL_TRACES_EXPORTER: "zipkin" }, "OTEL_TRACES_EXPORTER"],
    [{ OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, "OTEL_EXPORTER_OTLP_PROTOCOL"],
    [{ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "grpc" }, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL"],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "ftp://c/x" }, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"],
    [{ OTEL_SDK_DISABLED: "yes" }, "OTEL_SDK_DISABLED"],
    [{ OTEL_TRACES_SAMPLER: "jaeger_remote" }, "OTEL_TRACES_SAMPLER"],
    [{ OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" }, "OTEL_TRACES_SAMPLER_ARG"],
    [{ OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "half" }, "OTEL_TRACES_SAMPLER_ARG"],
  ])("%j is refused, naming the variable", (env, named) => {
    const result = tracingSettingsFromEnv(env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join("\n")).toContain(named);
  });

  it("a problem is reported even when tracing would be off", () => {
    expect(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }).ok).toBe(false);
  });
});
