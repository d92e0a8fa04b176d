import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { diagLogger } from "./diag-log.js";
import { traceInMemory } from "./in-memory.js";
import { activeTraceFields, inSpan } from "./spans.js";

function capture(mixin?: () => object | undefined) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ name: "t", destination, ...(mixin ? { mixin } : {}) }) };
}

describe("the SDK's messages as log lines", () => {
  it("says an export failed in one line naming the OTLP URL, once a minute, counting the rest", () => {
    const { lines, logger } = capture();
    let now = 0;
    const diag = diagLogger(logger, "http://127.0.0.1:4999/v1/traces", () => now);
    const stack = JSON.stringify({
      stack: "Error: connect ECONNREFUSED 127.0.0.1:4999\n    at TCPConnectWrap.afterConnect",
      message: "connect ECONNREFUSED 127.0.0.1:4999",
    });
    diag.error(stack);
    now = 13_000;
    diag.error(stack);
    diag.error(stack);
    now = 61_000;
    diag.error(stack);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: "warn",
      component: "tracing",
      otlpUrl: "http://127.0.0.1:4999/v1/traces",
      detail: "connect ECONNREFUSED 127.0.0.1:4999",
    });
    expect(String(lines[0]?.msg)).toContain("spans may be lost");
    expect(lines[1]).toMatchObject({ moreSinceLast: 2 });
  });

  it("is written outside any request's trace, though the export ran inside one", async () => {
    const tracing = traceInMemory();
    try {
      const { lines, logger } = capture(activeTraceFields);
      const diag = diagLogger(logger, undefined);
      const traceId = await inSpan("test", "a request", async (span) => {
        logger.info("the request's own line");
        diag.warn("Dropped 12 spans because maxQueueSize reached");
        return span?.spanContext().traceId;
      });
      expect(lines[0]?.trace_id).toBe(traceId);
      expect(lines[1]).toMatchObject({ detail: "Dropped 12 spans because maxQueueSize reached" });
      expect(lines[1]?.trace_id).toBeUndefined();
    } finally {
      await tracing.stop();
    }
  });
});
