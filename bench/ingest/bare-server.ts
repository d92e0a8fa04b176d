// The baseline of the ingest benchmark: Express 5 doing the same body read, Standard Webhooks
// signature check and JSON parse as the ingest, then answering 202 without Kafka.
import express from "express";
import { Webhook } from "standardwebhooks";

const port = Number(process.env.PORT);
const webhook = new Webhook(process.env.SECRET ?? "");
const app = express();
app.disable("x-powered-by");
app.post("/webhooks/:sourceId", express.raw({ type: () => true, limit: 1024 * 1024 }), (req, res) => {
  try {
    const body = webhook.verify(req.body as Buffer, req.headers as Record<string, string>);
    res.status(202).json({ events: 1, accepted: body === null ? 0 : 1, ignored: 0, duplicate: 0, invalid: 0 });
  } catch {
    res.status(401).json({ error: "unauthorized" });
  }
});
app.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});
app.listen(port, "127.0.0.1");
// Exit on SIGTERM through process.exit, so `node --cpu-prof` (BENCH_BARE_NODE_ARGS) writes its profile.
process.once("SIGTERM", () => process.exit(0));
