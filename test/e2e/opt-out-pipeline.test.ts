import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CallResult } from "@callbridge/schemas";
import { freePort, startRedisServer } from "@callbridge/test-infra";
import { DEV_SECRETS, hubspotWebhook, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createTopics, eventually, jsonOf, readAll } from "../support/kafka.js";
import { windowOpeningSoon } from "../support/recipients.js";
import { callsPerKey } from "../support/sim-calls.js";
import { type RunningSimulator, startSimulator } from "../support/simulator.js";
import { startTestWorker } from "../support/worker-stack.js";

// A person opts out in the CRM while a call to them waits for their calling window: the CRM's
// webhook goes through the ingest's opt-out route to the do-not-call list in Redis, and when
// the window opens the waiting request ends suppressed, never called. Real ingest process,
// broker, Redis, simulator.

const brokers = inject("kafkaBrokers");
const ingestEntry = fileURLToPath(new URL("../../apps/ingest/dist/main.js", import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const ROUTES = `
sources:
  standard:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
  hubspot-opt-outs:
    kind: hubspot
    client_secret: ${DEV_SECRETS.hubspotClientSecret}
routes:
  - name: standard-call
    source: standard
    when: { type: call.requested }
    campaign_id: campaign-uuid-1
    to: data.phone
    context: { lead: data.id }
opt_outs:
  - name: hubspot-do-not-call
    source: hubspot-opt-outs
    when: { properties.do_not_call: "true" }
    to: properties.phone
`;

async function startIngest(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, [ingestEntry], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", PORT: String(port), METRICS_PORT: String(await freePort()), ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  cleanups.push(async () => {
    child.kill("SIGKILL");
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined), "ingest ready");
  return url;
}

describe("an opt-out from the CRM, end to end", () => {
  it("reaches a request already waiting for its window: it is suppressed when the window opens, never called", {
    timeout: 180_000,
  }, async () => {
    const sim: RunningSimulator = await startSimulator();
    cleanups.push(() => sim.sim.close());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    // The ingest first (its start is the slow part), then the policy and the worker: the window
    // opens 20 s after the worker starts, time enough for two webhooks and an opt-out before it.
    const topics = await createTopics(brokers);
    const routes = join(mkdtempSync(join(tmpdir(), "opt-out-routes-")), "routes.yaml");
    writeFileSync(routes, ROUTES);
    const ingest = await startIngest({
      KAFKA_BROKERS: brokers,
      REDIS_URL: redis.url,
      ROUTES_FILE: routes,
      CALL_REQUESTS_TOPIC: topics.callRequests,
      DLQ_TOPIC: topics.deadLetters,
    });
    const { base, policy, opensAtMs } = windowOpeningSoon(20);
    const worker = await startTestWorker(brokers, {
      simUrl: sim.url,
      redisUrl: redis.url,
      topics,
      env: { RECIPIENT_GUARD: "on", RECIPIENT_POLICY_FILE: policy },
    });
    cleanups.push(() => worker.stop());

    const optedOut = `${base}41`;
    const stays = `${base}42`;
    for (const [i, phone] of [optedOut, stays].entries()) {
      const webhook = standardWebhook({
        sourceId: "standard",
        secret: DEV_SECRETS.standardWebhooksSecret,
        id: `msg_${Date.now()}_${i}`,
        payload: { type: "call.requested", data: { id: `lead-${i}`, phone } },
      });
      expect((await sendWebhook(ingest, webhook)).status).toBe(202);
    }
    const results = (until: (all: CallResult[]) => boolean, what: string) =>
      eventually(
        async () => {
          const all = (await readAll(brokers, worker.topics.callResults)).map((r) => CallResult.parse(jsonOf(r)));
          return until(all) ? all : undefined;
        },
        what,
        90_000,
      );
    await results((all) => all.filter((r) => r.outcome === "deferred" && r.reason === "calling_window").length === 2, "both deferred");

    const optOut = hubspotWebhook(
      { sourceId: "hubspot-opt-outs", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingest },
      { id: "contact-1", properties: { phone: optedOut, do_not_call: "true" } },
    );
    const answer = await sendWebhook(ingest, optOut);
    expect(answer.status).toBeLessThan(300);
    expect(Date.now()).toBeLessThan(opensAtMs);

    const all = await results(
      (rs) => rs.some((r) => r.outcome === "suppressed") && rs.some((r) => r.outcome === "placed"),
      "after the opening",
    );
    expect(all.find((r) => r.to === optedOut && r.outcome === "suppressed")).toMatchObject({ reason: "opt_out" });
    expect(all.find((r) => r.to === stays && r.outcome === "placed")).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const calls = (await (await fetch(`${sim.url}/_sim/calls`)).json()) as { calls: { to: string }[] };
    expect(calls.calls.map((c) => c.to)).toEqual([stays]);
    expect((await callsPerKey(sim)).size).toBe(1);
  });
});
