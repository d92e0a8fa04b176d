import { connect } from "node:net";

/**
 * Ready means the broker listener answers a real Metadata request (API key 3, version 4, the
 * oldest Kafka 4 still serves) with at least one broker in it: the request every client makes
 * first. The launcher speaks this one request itself so it needs no Kafka client library.
 * Each attempt is short, because a broker may accept connections before it can serve requests.
 */
export async function waitForKafka(brokers: string, options: { timeoutMs: number; isAlive?: () => boolean }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = "no answer";
  while (Date.now() < deadline) {
    if (options.isAlive && !options.isAlive()) throw new Error("the broker process exited during start-up");
    const answer = await brokerAnswers(brokers);
    if (answer.ok) return;
    lastError = answer.reason;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Kafka at ${brokers} was not ready within ${options.timeoutMs} ms (${lastError})`);
}

export type ProbeResult = { ok: true; brokers: number } | { ok: false; reason: string };

/** One Metadata round trip to `host:port`; never throws. */
export function brokerAnswers(brokers: string, attemptTimeoutMs = 500): Promise<ProbeResult> {
  const [host = "127.0.0.1", portText = ""] = brokers.split(",")[0]?.trim().split(":") ?? [];
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(portText) });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(attemptTimeoutMs, () => finish({ ok: false, reason: "timed out" }));
    socket.on("error", (error) => finish({ ok: false, reason: error.message }));
    socket.on("close", () => finish({ ok: false, reason: "connection closed" }));
    socket.on("connect", () => socket.write(metadataRequest(1)));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      // Response v4: size, correlation id, throttle time, then the brokers array's length.
      const count = received.length >= 16 ? received.readInt32BE(12) : -1;
      finish(count >= 1 ? { ok: true, brokers: count } : { ok: false, reason: "metadata lists no broker yet" });
    });
  });
}

function metadataRequest(correlationId: number): Buffer {
  const clientId = Buffer.from("callbridge-kafka-launcher");
  const header = Buffer.alloc(10);
  header.writeInt16BE(3, 0); // api key: Metadata
  header.writeInt16BE(4, 2); // api version
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const body = Buffer.alloc(5);
  body.writeInt32BE(-1, 0); // topics: null, i.e. all
  body.writeInt8(0, 4); // allow_auto_topic_creation: false
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + clientId.length + body.length, 0);
  return Buffer.concat([size, header, clientId, body]);
}
