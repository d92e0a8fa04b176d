// The ingest as a process of its own on a broker, with topics of its own, for the benchmarks
// that load it (bench/ingest, bench/tracing).
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { uniqueName } from "@callbridge/test-infra";
import { freePort, startNode } from "../support/processes.js";

/** This checkout's ingest build. */
export const CURRENT_INGEST_MAIN = fileURLToPath(new URL("../../apps/ingest/dist/main.js", import.meta.url));

export interface IngestProcess {
  readonly url: string;
  readonly metricsUrl: string;
  readonly process: ChildProcess;
}

export interface IngestOptions {
  readonly brokers: string;
  /** The build to run: this checkout's, or another checkout's `apps/ingest/dist/main.js`. */
  readonly main?: string;
  /** Node's own flags, such as `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
  /** Extra environment, over the bench's own. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts the ingest on free ports, logging at `warn`; wait for `${url}/readyz` before loading it. */
export async function startIngest(options: IngestOptions): Promise<IngestProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = startNode([...(options.nodeArgs ?? []), options.main ?? CURRENT_INGEST_MAIN], {
    KAFKA_BROKERS: options.brokers,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    LOG_LEVEL: "warn",
    CALL_REQUESTS_TOPIC: uniqueName("bench-requests"),
    DLQ_TOPIC: uniqueName("bench-dlq"),
    ...options.env,
  });
  return { url: `http://127.0.0.1:${port}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, process: child };
}
