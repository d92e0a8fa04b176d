import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KafkaClient } from "@callbridge/kafka";
import { deleteKafkaInstance, kafkaStatus, killKafka, restartKafka, startKafka, stopKafka } from "@callbridge/kafka-launcher";
import { createLogger } from "@callbridge/observability";
import { portFree } from "@callbridge/ports";
import { uniqueName } from "@callbridge/test-infra";
import { afterAll, describe, expect, it } from "vitest";
import { kcatAvailable, kcatConsume, kcatProduce } from "../support/kcat.js";

// The launcher's whole life cycle on an instance of its own: start, idempotent start, an
// independent client (kcat) producing and consuming, restart, kill -9, start again, stop.

const name = uniqueName("launcher-test");
const instanceDir = join(process.env.CALLBRIDGE_CACHE ?? join(homedir(), ".cache", "callbridge"), "kafka", "instances", name);

afterAll(async () => {
  await deleteKafkaInstance({ name, env: process.env });
  expect(existsSync(instanceDir)).toBe(false);
});

/**
 * A free port below Linux's ephemeral range (32768 and up): while the broker is down between a
 * stop and a start, an outgoing connection of another test could take a port in that range as
 * its source port, and the launcher would then (as documented) start on another one.
 */
async function portOutsideEphemeralRange(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await portFree(port)) return port;
  }
}

async function createTopic(brokers: string, topic: string): Promise<void> {
  const admin = new KafkaClient({
    brokers: [brokers],
    clientId: "launcher-test",
    logger: createLogger({ name: "t", level: "silent" }),
  }).admin();
  await admin.connect();
  await admin.ensureTopics([{ name: topic, partitions: 1, retentionMs: 3_600_000 }]);
  await admin.disconnect();
}

describe.skipIf(!kcatAvailable())("Kafka launcher (kcat is the independent client)", () => {
  it("starts a broker, keeps its data over restart and kill -9, and stops it", { timeout: 180_000 }, async () => {
    const first = await startKafka({ name, env: process.env, fresh: true, port: await portOutsideEphemeralRange() });
    expect(first.started).toBe(true);
    expect(first.brokers).toBe(`127.0.0.1:${first.port}`);
    expect(first.controllerPort).not.toBe(first.port);

    const again = await startKafka({ name, env: process.env });
    expect(again).toMatchObject({ started: false, pid: first.pid, brokers: first.brokers });
    expect(await kafkaStatus({ name, env: process.env })).toMatchObject({ running: true, ready: true, pid: first.pid });

    const topic = uniqueName("kcat");
    await createTopic(first.brokers, topic);
    await kcatProduce(first.brokers, topic, ["k1:hello", "k2:world"], { "callbridge.source": "kcat" });
    expect(await kcatConsume(first.brokers, topic)).toEqual(["k1|hello|callbridge.source=kcat", "k2|world|callbridge.source=kcat"]);

    const restarted = await restartKafka({ name, env: process.env });
    expect(restarted.started).toBe(true);
    expect(restarted.port).toBe(first.port);
    expect(restarted.pid).not.toBe(first.pid);
    expect(await kcatConsume(restarted.brokers, topic)).toHaveLength(2);

    expect(await killKafka({ name, env: process.env })).toBe(true);
    expect(await kafkaStatus({ name, env: process.env })).toMatchObject({ running: false });
    const revived = await startKafka({ name, env: process.env });
    expect(revived.port).toBe(first.port);
    await kcatProduce(revived.brokers, topic, ["k3:again"]);
    expect(await kcatConsume(revived.brokers, topic)).toEqual([
      "k1|hello|callbridge.source=kcat",
      "k2|world|callbridge.source=kcat",
      "k3|again|",
    ]);

    expect(await stopKafka({ name, env: process.env })).toBe(true);
    expect(await portFree(first.port)).toBe(true);
    expect(await stopKafka({ name, env: process.env })).toBe(false);
  });
});
