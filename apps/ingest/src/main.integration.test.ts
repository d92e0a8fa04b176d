import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { freePort, redisServerAvailable, startRedisServer, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, hubspotWebhook, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { readTopic } from "./test-support/topic-reader.js";

// The built service as an operator runs it: `node dist/main.js` with env only.

const brokers = inject("kafkaBrokers");
const entry = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return { child, output: () => output, exited };
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("ingest did not become ready");
}

describe("node dist/main.js", () => {
  it("on SIGTERM stops accepting, finishes in-flight webhooks, flushes and exits 0", async () => {
    const port = await freePort();
    const topic = uniqueName("requests");
    const service = run({
      KAFKA_BROKERS: brokers,
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      CALL_REQUESTS_TOPIC: topic,
      DLQ_TOPIC: uniqueName("dlq"),
    });
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url);

    // A steady load; SIGTERM lands while requests are inside the service.
    const statuses: number[] = [];
    let n = 0;
    let terminated = false;
    const senders = Array.from({ length: 8 }, async () => {
      while (statuses.length < 2_000) {
        const webhook = standardWebhook({
          sourceId: "standard",
          secret: DEV_SECRETS.standardWebhooksSecret,
          id: `term-${n++}`,
          payload: { type: "call.requested", data: { phone: "+14155550142" } },
        });
        const status = await sendWebhook(url, webhook).then(
          (r) => r.status,
          () => 0,
        );
        statuses.push(status);
        if (!terminated && statuses.filter((s) => s === 202).length >= 20) {
          terminated = true;
          service.child.kill("SIGTERM");
        }
        if (status === 0) return;
      }
    });
    await Promise.all(senders);
    expect(await service.exited).toBe(0);

    const accepted = statuses.filter((s) => s === 202).length;
    expect(statuses.every((s) => s === 202 || s === 503 || s === 0)).toBe(true);
    expect(accepted).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((s) => s !== 202).length).toBeGreaterThan(0);
    expect(await readTopic(brokers, topic)).toHaveLength(accepted);
  });

  it("refuses to start on a bad routes file, naming the path and the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "callbridge-bad-routes-"));
    const file = join(dir, "routes.yaml");
    writeFileSync(
      file,
      "sources:\n  crm:\n    kind: pipedrive\n    username: u\n    password: ${PIPEDRIVE_PASS}\nroutes:\n  - name: r\n    source: nope\n    campaign_id: c\n    to: data.phone\n    default_country: XX\n",
    );
    const service = run({ KAFKA_BROKERS: brokers, ROUTES_FILE: file, PORT: String(await freePort()) });
    expect(await service.exited).toBe(2);
    expect(service.output()).toContain(`${file}: sources.crm.password: environment variable PIPEDRIVE_PASS is not set`);

    writeFileSync(
      file,
      "sources:\n  crm:\n    kind: pipedrive\n    username: u\n    password: long-enough-secret\nroutes:\n  - name: r\n    source: nope\n    campaign_id: c\n    to: data.phone\n    default_country: XX\n",
    );
    const again = run({ KAFKA_BROKERS: brokers, ROUTES_FILE: file, PORT: String(await freePort()) });
    expect(await again.exited).toBe(2);
    expect(again.output()).toContain(`${file}: routes[0].default_country: must be a country code`);
    expect(again.output()).toContain(`${file}: routes[0].source: no source "nope" in sources`);
  });

  it("refuses to start without KAFKA_BROKERS, naming the variable", async () => {
    const service = run({ PORT: String(await freePort()) });
    expect(await service.exited).toBe(2);
    expect(service.output()).toContain("KAFKA_BROKERS: ");
  });

  it("refuses to start on a KAFKA_BROKERS that is not host:port, naming the variable and the entry", async () => {
    const service = run({ KAFKA_BROKERS: "garbage", PORT: String(await freePort()) });
    expect(await service.exited).toBe(2);
    expect(service.output()).toContain("KAFKA_BROKERS: garbage has no port; use host:port[,host:port]");
  });

  it("refuses to start with opt-outs and no REDIS_URL, in one line naming the variable and the opt-outs", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "callbridge-opt-outs-")), "routes.yaml");
    writeFileSync(file, OPT_OUT_ROUTES);
    const service = run({ KAFKA_BROKERS: brokers, ROUTES_FILE: file, PORT: String(await freePort()) });
    expect(await service.exited).toBe(2);
    const lines = service
      .output()
      .split("\n")
      .filter((line) => line.includes("REDIS_URL"));
    expect(lines).toEqual([
      `  REDIS_URL: is not set, but ${file} has opt-outs (crm-do-not-call, crm-stop), which are written to the do-not-call list in Redis; set REDIS_URL to the Redis the workers use`,
    ]);
  });

  it.skipIf(!redisServerAvailable())("with REDIS_URL, writes a webhook's opt-out to the do-not-call list", async () => {
    const server = await startRedisServer();
    const redis = new Redis(server.url);
    try {
      const file = join(mkdtempSync(join(tmpdir(), "callbridge-opt-outs-")), "routes.yaml");
      writeFileSync(file, OPT_OUT_ROUTES);
      const port = await freePort();
      run({
        KAFKA_BROKERS: brokers,
        REDIS_URL: server.url,
        ROUTES_FILE: file,
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        CALL_REQUESTS_TOPIC: uniqueName("requests"),
        DLQ_TOPIC: uniqueName("dlq"),
      });
      const url = `http://127.0.0.1:${port}`;
      await waitReady(url);
      const body = { id: "7", properties: { phone: "+1 415 555 0188", do_not_call: "true" } };
      const res = await sendWebhook(
        url,
        hubspotWebhook({ sourceId: "crm", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: url }, body),
      );
      expect(res.status).toBe(202);
      expect(JSON.parse((await redis.hget(SUPPRESSION_LIST_KEY, "+14155550188")) ?? "null")).toMatchObject({
        reason: "opt_out",
        source: "route:crm-do-not-call",
      });
    } finally {
      await redis.quit();
      await server.stop();
    }
  });
});

const OPT_OUT_ROUTES = `
sources:
  crm:
    kind: hubspot
    client_secret: ${DEV_SECRETS.hubspotClientSecret}
opt_outs:
  - { name: crm-do-not-call, source: crm, when: { properties.do_not_call: "true" }, to: properties.phone }
  - { name: crm-stop, source: crm, when: { properties.stop: "true" }, to: properties.phone }
`;
