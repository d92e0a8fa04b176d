// `pnpm test`: starts Kafka once for the whole run (KAFKA_BROKERS if set, else Testcontainers
// when a container engine answers, else the launcher's real broker from Maven Central jars),
// runs every package's tests through turbo with KAFKA_BROKERS set, then stops what it started.
// Extra arguments go to `turbo run test` (e.g. `pnpm test --filter @callbridge/kafka`).
import { spawn, spawnSync } from "node:child_process";

const log = (line) => console.error(`[callbridge test] ${line}`);

const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@callbridge/test-infra...", "--output-logs=errors-only"], {
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

const { provideKafka } = await import("../packages/test-infra/dist/index.js");
let kafka;
try {
  kafka = await provideKafka(process.env, log);
} catch (error) {
  log(`no Kafka for the tests: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
log(`Kafka for this run: ${kafka.brokers} (${kafka.source})`);

let released = false;
const release = async () => {
  if (released) return;
  released = true;
  await kafka.release().catch((error) => log(`could not stop Kafka: ${error.message}`));
};

const child = spawn("pnpm", ["exec", "turbo", "run", "test", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { ...process.env, KAFKA_BROKERS: kafka.brokers },
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal));
}
const code = await new Promise((resolve) => child.on("exit", (status, signal) => resolve(status ?? (signal ? 1 : 0))));
await release();
process.exit(code);
