// The baseline of the worker benchmarks: CONCURRENCY loops of createCampaignCall against the
// simulator for SECONDS, no Kafka, no limiter, in a process of its own. Prints one JSON line:
// calls, seconds and the CPU ms it used while calling.
import { TalkoverClient } from "@callbridge/talkover-client";

const url = process.env.SIM_URL ?? "";
const concurrency = Number(process.env.CONCURRENCY ?? 32);
const seconds = Number(process.env.SECONDS ?? 10);
const client = new TalkoverClient({ baseUrl: url, token: "talq_test_token", connections: concurrency });
let done = 0;
let n = 0;
const until = Date.now() + seconds * 1000;
const cpuBefore = process.cpuUsage();
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      n += 1;
      await client.createCampaignCall("campaign-uuid-1", {
        to: `+1212${String(5_000_000 + n).padStart(7, "0")}`,
        is_testing: true,
        allow_duplicates: true,
      });
      done += 1;
    }
  }),
);
const elapsed = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await client.close();
console.log(JSON.stringify({ calls: done, seconds: elapsed, cpu_ms: (cpu.user + cpu.system) / 1000 }));
