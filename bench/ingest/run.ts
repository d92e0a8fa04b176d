// Ingest throughput against a bare Express server doing the same parse and signature check
// without Kafka, side by side in one run (this machine is noisy: only the ratio is reported),
// then the ingest's p99 at half of the bare server's throughput.
// Usage: pnpm --filter @callbridge/bench ingest   (KAFKA_BROKERS to use your own broker)
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { deleteKafkaInstance, startKafka, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, standardWebhook } from "@callbridge/webhook-samples";
import autocannon from "autocannon";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Measured {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(url: string, options: { rate?: number } = {}): Promise<Measured> {
  let n = 0;
  const prefix = uniqueName("bench");
  const result = await autocannon({
    url: `${url}/webhooks/standard`,
    method: "POST",
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...(options.rate ? { overallRate: options.rate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          n += 1;
          const signed = standardWebhook({
            sourceId: "standard",
            secret: DEV_SECRETS.standardWebhooksSecret,
            id: `${prefix}-${n}`,
            payload: {
              type: "call.requested",
              data: { id: `lead-${n}`, name: "Bench", phone: `+1415555${String(n % 10_000).padStart(4, "0")}` },
            },
          });
          return { ...request, headers: { ...signed.headers }, body: signed.body };
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const kafkaName = uniqueName("bench-ingest");
  const brokers = env.KAFKA_BROKERS ?? (await startKafka({ name: kafkaName, env, fresh: true })).brokers;
  const ingestPort = await freePort();
  const barePort = await freePort();
  const ingest = startNode([fileURLToPath(new URL("../../apps/ingest/dist/main.js", import.meta.url))], {
    KAFKA_BROKERS: brokers,
    PORT: String(ingestPort),
    METRICS_PORT: String(await freePort()),
    LOG_LEVEL: "warn",
    CALL_REQUESTS_TOPIC: uniqueName("bench-requests"),
    DLQ_TOPIC: uniqueName("bench-dlq"),
  });
  const bare = startNode(["--import", "tsx", fileURLToPath(new URL("./bare-server.ts", import.meta.url))], {
    PORT: String(barePort),
    SECRET: DEV_SECRETS.standardWebhooksSecret,
  });
  const ingestUrl = `http://127.0.0.1:${ingestPort}`;
  const bareUrl = `http://127.0.0.1:${barePort}`;
  try {
    await waitForHttp(`${ingestUrl}/readyz`);
    await waitForHttp(`${bareUrl}/healthz`);
    // Warm both up (JIT, connections, Kafka metadata) before measuring.
    await Promise.all([fetch(`${ingestUrl}/healthz`), fetch(`${bareUrl}/healthz`)]);
    const rounds: { bare: Measured; ingest: Measured }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bareRun = await measure(bareUrl);
      const ingestRun = await measure(ingestUrl);
      rounds.push({ bare: bareRun, ingest: ingestRun });
      console.error(
        `round ${round + 1}: bare ${bareRun.requestsPerSecond.toFixed(0)} req/s, ingest ${ingestRun.requestsPerSecond.toFixed(0)} req/s`,
      );
    }
    const bareRps = median(rounds.map((r) => r.bare.requestsPerSecond));
    const ingestRps = median(rounds.map((r) => r.ingest.requestsPerSecond));
    const halfLoad = Math.round(bareRps / 2);
    const atHalf = await measure(ingestUrl, { rate: halfLoad });
    const report = {
      bench: "ingest",
      at: new Date().toISOString(),
      cpus: cpus().length,
      duration_s: DURATION_S,
      connections: CONNECTIONS,
      rounds,
      bare_requests_per_second: Math.round(bareRps),
      ingest_requests_per_second: Math.round(ingestRps),
      throughput_ratio: Number((ingestRps / bareRps).toFixed(3)),
      throughput_target: 0.5,
      half_load_requests_per_second: halfLoad,
      half_load_achieved_requests_per_second: Math.round(atHalf.requestsPerSecond),
      half_load_p50_ms: atHalf.p50,
      half_load_p99_ms: atHalf.p99,
      half_load_p99_target_ms: 50,
      half_load_non_2xx: atHalf.non2xx,
    };
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/ingest.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await stop(ingest);
    await stop(bare);
    if (!env.KAFKA_BROKERS) await deleteKafkaInstance({ name: kafkaName, env });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
