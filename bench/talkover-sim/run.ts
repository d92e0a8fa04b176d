// Throughput of the Talkover simulator on this machine, so we know it is never what limits
// another benchmark. The simulator runs as its own process (as in every other bench); the
// load comes from autocannon in this one. Usage: pnpm --filter @callbridge/bench talkover-sim
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { freePort, startNode, stop, waitForHttp } from "../support/processes.js";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const TOKEN = "talq_test_token";

interface Scenario {
  readonly name: string;
  readonly connections: number;
  readonly faults: Record<string, unknown>;
  /** Unique numbers (201s) or one number over and over (409s after the first). */
  readonly numbers: "unique" | "same";
}

const scenarios: Scenario[] = [
  { name: "201 created, unique numbers", connections: 64, faults: {}, numbers: "unique" },
  { name: "409 duplicate, one number", connections: 64, faults: {}, numbers: "same" },
  { name: "201 created, 20 ms added latency", connections: 256, faults: { latency_ms: 20 }, numbers: "unique" },
];

async function main(): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const entry = fileURLToPath(new URL("../../apps/talkover-sim/dist/main.js", import.meta.url));
  const sim = startNode([entry], { PORT: String(port), LOG_LEVEL: "warn", SIM_CALL_QUEUED_MS: "600000" });
  const results = [];
  try {
    await waitForHttp(`${base}/_sim/health`);
    for (const scenario of scenarios) {
      await fetch(`${base}/_sim/reset`, { method: "POST" });
      await fetch(`${base}/_sim/faults`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(scenario.faults),
      });
      let counter = 0;
      const result = await autocannon({
        url: `${base}/api/v1/campaigns/campaign-uuid-1/call`,
        method: "POST",
        connections: scenario.connections,
        duration: DURATION_S,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        requests: [
          {
            setupRequest: (request) => {
              counter += 1;
              const to = scenario.numbers === "unique" ? `+1${String(2_000_000_000 + counter)}` : "+14155550100";
              return { ...request, body: JSON.stringify({ to, payload: { n: counter } }) };
            },
          },
        ],
      });
      const stats = (await (await fetch(`${base}/_sim/stats`)).json()) as { responses: Record<string, number> };
      const row = {
        scenario: scenario.name,
        connections: scenario.connections,
        requests_per_second: Math.round(result.requests.average),
        latency_p50_ms: result.latency.p50,
        latency_p99_ms: result.latency.p99,
        errors: result.errors + result.timeouts,
        non_2xx: result.non2xx,
        responses: stats.responses,
      };
      results.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await stop(sim);
  }
  const report = { bench: "talkover-sim", at: new Date().toISOString(), cpus: cpus().length, duration_s: DURATION_S, results };
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/talkover-sim.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log("\n| scenario | connections | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|");
  for (const r of results)
    console.log(`| ${r.scenario} | ${r.connections} | ${r.requests_per_second} | ${r.latency_p50_ms} | ${r.latency_p99_ms} |`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
