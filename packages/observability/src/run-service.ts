import type { Logger } from "pino";
import { createLogger, type LoggerConfig } from "./logger.js";
import { ShutdownManager } from "./shutdown.js";
import { tracingSettingsFromEnv } from "./tracing/settings.js";
import { activeTraceFields } from "./tracing/spans.js";
import { startTracing, type Tracing } from "./tracing/start.js";

/** A config loader's answer: the config, or every problem found (each naming its variable). */
export type LoadedConfig<C> = { readonly ok: true; readonly config: C } | { readonly ok: false; readonly problems: readonly string[] };

export interface ServiceContext<C> {
  readonly config: C;
  readonly logger: Logger;
  /** Add the service's stop steps here, in the order they must run at shutdown. */
  readonly shutdown: ShutdownManager;
}

export interface ServiceDefinition<C extends { readonly logLevel: LoggerConfig["level"] }> {
  /** The logger's name and the prefix of start-up messages: `ingest`, `worker`, ... */
  readonly name: string;
  loadConfig(env: NodeJS.ProcessEnv): LoadedConfig<C>;
  /** The whole shutdown's deadline, ms: past it, steps still running are abandoned and the exit code is 1. */
  shutdownDeadlineMs(config: C): number;
  /**
   * Starts the service and registers its stop steps. Resolves once it serves; may resolve with
   * `failed`, a promise that settles if the service stops by itself later (a consumer that will
   * not restart), which ends the process with exit code 1.
   */
  start(context: ServiceContext<C>): Promise<{ readonly failed?: Promise<Error> } | undefined>;
  /**
   * With tracing on: whether spans find their parent through an AsyncLocalStorage context
   * manager (the default), or the service passes contexts by hand (`false`; log lines then carry
   * trace ids only where the service adds them).
   */
  readonly asyncTraceContext?: boolean;
  /** One line for a start-up failure the service knows (no stack trace), or undefined for a crash. */
  describeStartupError?(error: unknown): string | undefined;
}

/**
 * The process scaffolding every service shares, so each `main.ts` only says what is its own:
 * exit code 2 and one line per problem for a bad configuration; exit 1 when start-up fails
 * (what was started is stopped first) or the service fails while running; SIGTERM and SIGINT
 * run the shutdown steps once, within the deadline, then exit 0 if all of them finished
 * cleanly, else 1. These are the conventions of process supervisors (Kubernetes, systemd,
 * Docker): SIGTERM asks for a graceful stop, a non-zero code means "look at me".
 *
 * Tracing (OpenTelemetry, off unless the OTEL_* variables ask for it: tracingSettingsFromEnv)
 * starts before the service, its problems reported with the configuration's; log lines then
 * carry `trace_id`/`span_id`, and buffered spans are exported after the last stop step.
 */
export async function runService<C extends { readonly logLevel: LoggerConfig["level"] }>(
  definition: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const loaded = definition.loadConfig(env);
  const tracingSettings = tracingSettingsFromEnv(env);
  if (!loaded.ok || !tracingSettings.ok) {
    const problems = [...(loaded.ok ? [] : loaded.problems), ...(tracingSettings.ok ? [] : tracingSettings.problems)];
    console.error(`${definition.name}: invalid configuration\n  ${problems.join("\n  ")}`);
    process.exit(2);
  }
  const { config } = loaded;
  const traced = tracingSettings.settings.enabled;
  const asyncContext = definition.asyncTraceContext ?? true;
  const mixin = traced && asyncContext ? { mixin: activeTraceFields } : {};
  const logger = createLogger({ name: definition.name, level: config.logLevel, ...mixin });
  const tracing = startTracing(tracingSettings.settings, `callbridge-${definition.name}`, logger, { asyncContext });
  if (tracingSettings.settings.enabled) {
    const { exporters, otlpUrl, protocol } = tracingSettings.settings;
    logger.info({ exporters, ...(exporters.includes("otlp") ? { otlpUrl, protocol } : {}) }, "tracing on");
  }
  const shutdown = new ShutdownManager(logger, definition.shutdownDeadlineMs(config));
  const stopAll = async (reason: string) => {
    const clean = await shutdown.run(reason);
    await flushTraces(tracing, logger);
    return clean;
  };
  const stopAndExit = (reason: string, code?: number) => void stopAll(reason).then((clean) => process.exit(code ?? (clean ? 0 : 1)));
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => stopAndExit(signal));

  let started: Awaited<ReturnType<ServiceDefinition<C>["start"]>>;
  try {
    started = await definition.start({ config, logger, shutdown });
  } catch (error) {
    const line = definition.describeStartupError?.(error);
    if (line === undefined) logger.fatal({ err: error }, `${definition.name} could not start`);
    else logger.fatal(`${definition.name} could not start: ${line}`);
    await stopAll("start-up failed");
    process.exit(1);
  }
  void started?.failed?.then((error) => {
    logger.fatal(`${definition.name} stopped: ${error.message}`);
    stopAndExit("failed", 1);
  });
}

/** Exports the spans still buffered (the last stop step); a collector that is down costs at most its timeout, and is no failure of the service. */
async function flushTraces(tracing: Tracing, logger: Logger): Promise<void> {
  if (!tracing.enabled) return;
  await tracing.shutdown().catch((error: unknown) => logger.warn({ err: error }, "could not export the last spans"));
}
