import type { TopicRecord } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { type RoutedWebhook, type RoutingTable, routeEvents } from "@callbridge/routes";
import { maskPhoneNumbersIn } from "@callbridge/schemas";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import type { DeliveredEvents } from "../delivery/delivered-events.js";
import type { DoNotCallList } from "../delivery/do-not-call.js";
import type { IngestTopics, KafkaOutcome, TopicLimits } from "../delivery/records.js";
import { type WriteOutcome, writeEvents } from "../delivery/write-events.js";
import { type OptOutOutcome, writeOptOuts } from "../delivery/write-opt-outs.js";
import type { EventOutcome, IngestMetrics, RequestOutcome } from "../metrics.js";
import { mediaTypeOf, type Source, type SourceReply, type WebhookSummary } from "../sources/source.js";

export interface WebhookDeps {
  readonly sources: ReadonlyMap<string, Source>;
  readonly routing: RoutingTable;
  /** Where opt-outs are written; absent when the routes file has none. */
  readonly doNotCall: DoNotCallList | undefined;
  readonly topics: IngestTopics;
  /** Writes records through the shared produce batcher; settles when Kafka acknowledged them. */
  readonly send: (records: readonly TopicRecord[]) => Promise<void>;
  readonly limits: Readonly<TopicLimits>;
  readonly delivered: DeliveredEvents;
  readonly metrics: IngestMetrics;
  readonly logger: Logger;
  readonly nowMs: () => number;
  readonly publicBaseUrl: string;
  readonly maxBodyBytes: number;
  readonly produceTimeoutMs: number;
  /** True while shutting down: new webhooks get 503 so the sender retries elsewhere. */
  readonly draining: () => boolean;
}

/** Seconds a sender should wait after a 503. */
const RETRY_AFTER_SECONDS = "5";

/** What we say on 401: nothing that tells an attacker which check failed. */
const UNAUTHORIZED_MESSAGE = "unauthorized";

/** `POST /webhooks/:sourceId`: verify, route, write to Kafka (acks=all), then answer. */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: "webhooks" });

  const finish = finisher(deps.metrics);

  router.post(
    "/webhooks/:sourceId",
    admit(deps, finish),
    express.raw({ type: () => true, limit: deps.maxBodyBytes, inflate: true }),
    async (req: Request<{ sourceId: string }>, res) => {
      const source = res.locals.source as Source;
      const startedAt = res.locals.startedAt as number;
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const now = deps.nowMs();
      const verdict = source.verify(
        { method: req.method, url: `${deps.publicBaseUrl}${req.originalUrl}`, headers: req.headers, rawBody },
        now,
      );
      if (!verdict.ok) {
        const { rejection } = verdict;
        log.warn({ source: source.id, status: rejection.status, reason: rejection.reason }, "webhook refused");
        return rejection.status === 401
          ? finish(res, source, "unauthorized", source.refused(401, UNAUTHORIZED_MESSAGE), startedAt)
          : finish(res, source, "bad_request", source.refused(400, rejection.reason), startedAt);
      }

      const routed = routeEvents(source, deps.routing, verdict.events, new Date(now));
      const optOuts = await writeOptOuts(
        { doNotCall: deps.doNotCall, timeoutMs: deps.produceTimeoutMs, logger: log },
        source,
        routed.outcomes,
        new Date(now),
      );
      if (optOuts.kind !== "written") {
        const reason = maskPhoneNumbersIn(optOuts.error instanceof Error ? optOuts.error.message : String(optOuts.error));
        log.error({ source: source.id, reason }, "Redis did not acknowledge the opt-outs; answering 503");
        const reply = source.refused(503, "do-not-call list unavailable; retry later", { "retry-after": RETRY_AFTER_SECONDS });
        return finish(res, source, "unavailable", reply, startedAt);
      }
      const toKafka = routed.outcomes.filter((o): o is KafkaOutcome => o.kind !== "opt_out");
      const outcome = await writeEvents({ ...deps, logger: log }, source, toKafka, new Date(now));
      if (outcome.kind !== "written") return finish(res, source, ...refusal(outcome, source, log), startedAt);

      const summary = countAccepted(deps.metrics, source, verdict.events.length, routed, outcome, optOuts.written);
      log.info({ source: source.id, ...summary }, "webhook accepted");
      finish(res, source, "accepted", source.accepted(summary), startedAt);
    },
  );

  // Body-parser failures on the webhook route, in the source's own reply format.
  router.use("/webhooks/:sourceId", (error: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
    const source = res.locals.source as Source | undefined;
    if (!source || res.headersSent) return next(error);
    const startedAt = res.locals.startedAt as number;
    if (error.type === "entity.too.large") {
      return finish(res, source, "payload_too_large", source.refused(413, `the body is larger than ${deps.maxBodyBytes} bytes`), startedAt);
    }
    if (error.type === "encoding.unsupported" || error.status === 415) {
      return finish(res, source, "unsupported_media_type", source.refused(415, "the content encoding is not supported"), startedAt);
    }
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      return finish(res, source, "bad_request", source.refused(400, "the body could not be read"), startedAt);
    }
    log.error({ err: error, source: source.id }, "webhook failed");
    return finish(res, source, "error", source.refused(500, "internal error"), startedAt);
  });

  return router;
}

/** Counts an accepted webhook's events (by outcome), call requests and opt-outs (by name); its summary. */
function countAccepted(
  metrics: IngestMetrics,
  source: Source,
  events: number,
  routed: RoutedWebhook,
  written: Extract<WriteOutcome, { kind: "written" }>,
  optOuts: readonly OptOutOutcome[],
): WebhookSummary {
  const accepted = written.fresh.filter((o) => o.kind === "call");
  const invalid = written.fresh.length - accepted.length;
  for (const call of accepted) metrics.callRequests.inc({ route: call.route.name });
  for (const optOut of optOuts) metrics.optOuts.inc({ route: optOut.route.name });
  const count = (outcome: EventOutcome, n: number) => {
    if (n > 0) metrics.events.inc({ source: source.id, outcome }, n);
  };
  count("routed", accepted.length);
  count("invalid_phone", invalid);
  count("duplicate", written.duplicates);
  count("ignored", routed.ignored);
  count("opt_out", optOuts.length);
  return { events, accepted: accepted.length, ignored: routed.ignored, duplicate: written.duplicates, invalid, opt_outs: optOuts.length };
}

/** The answer to a webhook whose events could not be written, logged once here. */
function refusal(outcome: Exclude<WriteOutcome, { kind: "written" }>, source: Source, log: Logger): [RequestOutcome, SourceReply] {
  const retryLater = { "retry-after": RETRY_AFTER_SECONDS };
  switch (outcome.kind) {
    case "busy":
      log.warn({ source: source.id, events: outcome.events }, "the same event is being written by another request; answering 503");
      return ["unavailable", source.refused(503, "this event is being written by another delivery of it; retry later", retryLater)];
    case "too_large": {
      log.warn(
        { source: source.id, bytes: outcome.bytes, limitBytes: outcome.limitBytes },
        "webhook refused: a call request is too large for Kafka",
      );
      const reason = `a call request from this event makes a record of ${outcome.bytes} bytes (key, value, headers and framing); the requests topic takes records up to ${outcome.limitBytes} bytes (max.message.bytes)`;
      return ["payload_too_large", source.refused(413, reason)];
    }
    case "refused":
      // Sending again would not help (a topic gone, no permission): the sender should not retry blindly.
      log.error({ source: source.id, err: outcome.error, code: outcome.code }, "Kafka refused the records for good; answering 500");
      return ["error", source.refused(500, `the event store refused the records (${outcome.code ?? "permanent error"})`)];
    case "unavailable":
      log.error({ source: source.id, err: outcome.error }, "Kafka did not acknowledge; answering 503");
      return ["unavailable", source.refused(503, "event store unavailable; retry later", retryLater)];
  }
}

type Finish = (res: Response, source: Source | undefined, outcome: RequestOutcome, reply: SourceReply, startedAt: number) => void;

/** Sends a reply and counts it (requests by outcome, duration). */
function finisher(metrics: IngestMetrics): Finish {
  return (res, source, outcome, reply, startedAt) => {
    const sourceLabel = source?.id ?? "unknown";
    metrics.requests.inc({ source: sourceLabel, outcome });
    metrics.requestDuration.observe({ source: sourceLabel }, (performance.now() - startedAt) / 1000);
    res
      .status(reply.status)
      .set({ "content-type": reply.contentType, ...reply.headers })
      .send(reply.body);
  };
}

/** Before the body is read: a known source, not draining, a content type the source takes. */
function admit(deps: WebhookDeps, finish: Finish) {
  return (req: Request<{ sourceId: string }>, res: Response, next: NextFunction) => {
    res.locals.startedAt = performance.now();
    const source = deps.sources.get(req.params.sourceId);
    if (!source) {
      return finish(
        res,
        undefined,
        "unknown_source",
        { status: 404, contentType: "application/json", body: '{"error":"unknown source"}' },
        res.locals.startedAt,
      );
    }
    res.locals.source = source;
    if (deps.draining()) {
      return finish(
        res,
        source,
        "unavailable",
        source.refused(503, "shutting down; retry later", { "retry-after": RETRY_AFTER_SECONDS }),
        res.locals.startedAt,
      );
    }
    const mediaType = mediaTypeOf(req.headers["content-type"]);
    if (!source.acceptsContentType(mediaType)) {
      return finish(
        res,
        source,
        "unsupported_media_type",
        source.refused(415, `content type ${mediaType || "(none)"} is not accepted here`),
        res.locals.startedAt,
      );
    }
    next();
  };
}
