import { context, type DiagLogger, ROOT_CONTEXT } from "@opentelemetry/api";
import type { Logger } from "pino";

/** One warning per this long for the same problem, ms; the lines between are counted. */
const QUIET_MS = 60_000;

/**
 * The OpenTelemetry SDK's own messages (an export that failed: the collector down, refusing, or
 * slow) as callbridge's log lines: one line per problem per minute, with how many more there
 * were (`moreSinceLast`), the SDK's message cut to its first line (it is often an error's whole
 * stack, JSON-encoded), and the OTLP URL named. Written outside any request's trace, so a line
 * never carries the `trace_id` of a request that merely happened to be running.
 */
export function diagLogger(logger: Logger, otlpUrl: string | undefined, nowMs: () => number = Date.now): DiagLogger {
  const log = logger.child({ component: "tracing", ...(otlpUrl ? { otlpUrl } : {}) });
  const last = new Map<string, { atMs: number; more: number }>();
  const warn = (message: string, ...args: unknown[]) => {
    const text = firstLine(message, args);
    const seen = last.get(text);
    const now = nowMs();
    if (seen && now - seen.atMs < QUIET_MS) {
      seen.more += 1;
      return;
    }
    last.set(text, { atMs: now, more: 0 });
    context.with(ROOT_CONTEXT, () =>
      log.warn(
        { detail: text, ...(seen?.more ? { moreSinceLast: seen.more } : {}) },
        "tracing: the OpenTelemetry SDK reports a problem (spans may be lost; the service goes on)",
      ),
    );
  };
  const ignore = () => undefined;
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore };
}

/** The SDK's message in one line: an error's message rather than its JSON-encoded stack. */
function firstLine(message: string, args: readonly unknown[]): string {
  let text = message;
  if (text.trimStart().startsWith("{")) {
    try {
      const parsed = JSON.parse(text) as { message?: unknown; stack?: unknown };
      text = typeof parsed.message === "string" ? parsed.message : typeof parsed.stack === "string" ? parsed.stack : text;
    } catch {
      // Not JSON after all: kept as it is.
    }
  }
  const extra = args.map((a) => (a instanceof Error ? a.message : String(a))).filter((a) => a !== "" && a !== "[object Object]");
  return [text.split("\n")[0]?.trim() ?? "", ...extra].join(" ").slice(0, 300);
}
