import { KafkaClient } from "@callbridge/kafka";
import { createLogger, createRegistry } from "@callbridge/observability";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { InMemoryLedger } from "./ledger/ledger.js";
import { createWorker } from "./worker.js";

const logger = createLogger({ name: "worker-test", level: "silent" });

function config() {
  const loaded = loadConfig({
    KAFKA_BROKERS: "127.0.0.1:1",
    TALKOVER_BASE_URL: "http://127.0.0.1:1",
    TALKOVER_API_TOKEN: "talq_test_token",
  });
  if (!loaded.ok) throw new Error(loaded.problems.join());
  return loaded.config;
}

describe("createWorker().stop()", () => {
  it("runs every step even when some fail, then rejects with their errors; a second call gets the same promise", async () => {
    const ledger = new InMemoryLedger(60_000, 10);
    ledger.close = async () => {
      throw new Error("ledger would not close");
    };
    const closed: string[] = [];
    const worker = createWorker(config(), {
      logger,
      registry: createRegistry(),
      kafka: new KafkaClient({ brokers: ["127.0.0.1:1"], clientId: "stop-test", logger }),
      client: {
        createCampaignCall: () => Promise.reject(new Error("not called")),
        getCampaign: () => Promise.reject(new Error("not called")),
      },
      ledger,
      closeAfter: [
        ["first", () => closed.push("first")],
        [
          "failing",
          () => {
            throw new Error("close failed");
          },
        ],
        ["last", () => closed.push("last")],
      ],
    });
    const first = worker.stop();
    const second = worker.stop();
    expect(second).toBe(first);
    const error = await first.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(["ledger would not close", "close failed"]);
    expect(closed).toEqual(["first", "last"]);
    expect(worker.readiness()).toMatchObject({ ready: false, draining: true, limiter: "local" });
  });
});
