import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
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
});
