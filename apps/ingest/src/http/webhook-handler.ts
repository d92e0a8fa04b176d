import { randomUUID } from "node:crypto";
import { KafkaOperationError, type TopicRecord } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { type RouteConfig, routeEvents } from "@callbridge/routes";
import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { type ClaimedEvents, claimEvents } from "../delivery/claim-events.js";
import type { DeliveredEvents } from "../delivery/delivered-events.js";
import { type IngestTopics, sizedRecordsFor, type TopicLimits } from "../delivery/records.js";
import type { IngestMetrics, RequestOutcome } from "../metrics.js";
import { mediaTypeOf, type Source, type SourceReply } from "../sources/source.js";

export interface WebhookDeps {
  readonly sources: ReadonlyMap<string, Source>;
  readonly routes: readonly RouteConfig[];
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
/** A claim outlives the write it guards by this much, ms (then a dead writer's claim lapses). */
const CLAIM_MARGIN_MS = 2_000;

/** What we say on 401: nothing that tells an attacker which check failed. */
const UNAUTHORIZED_MESSAGE = "unauthorized";

/** `POST /webhooks/:sourceId`: verify, route, write to Kafka (acks=all), then answer. */
export function webhookRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const log = deps.logger.child({ component: "webhooks" });

  const finish = (res: Response, source: Source | undefined, outcome: RequestOutcome, reply: SourceReply, startedAt: number) => {
    const sourceLabel = source?.id ?? "unknown";
    deps.metrics.requests.inc({ source: sourceLabel, outcome });
    deps.metrics.requestDuration.observe({ source: sourceLabel }, (performance.now() - startedAt) / 1000);
    res
      .status(reply.status)
      .set({ "content-type": reply.contentType, ...reply.headers })
      .send(reply.body);
  };

  router.post(
    "/webhooks/:sourceId",
    (req: Request<{ sourceId: string }>, res, next) => {
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
    },
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

      const routed = routeEvents(source, deps.routes, verdict.events, new Date(now));
      const owner = randomUUID();
      const releaseClaims = (keys: readonly string[]) =>
        deps.delivered.release(keys, owner).catch((error: unknown) => {
          log.warn({ err: error }, "could not release claimed events; they lapse by themselves");
        });
      const allKeys = routed.outcomes.map((o) => o.idempotencyKey);
      const claim = await claimEvents(deps.delivered, allKeys, owner, {
        ttlMs: deps.produceTimeoutMs + CLAIM_MARGIN_MS,
        waitMs: deps.produceTimeoutMs,
      }).catch((error: unknown): ClaimedEvents => {
        log.warn({ err: error }, "delivered-events lookup failed; writing every event (the worker dedupes)");
        return { claimed: allKeys, delivered: [], busy: [] };
      });
      if (claim.busy.length > 0) {
        await releaseClaims(claim.claimed);
        log.warn({ source: source.id, events: claim.busy.length }, "the same event is being written by another request; answering 503");
        return finish(
          res,
          source,
          "unavailable",
          source.refused(503, "this event is being written by another delivery of it; retry later", { "retry-after": RETRY_AFTER_SECONDS }),
          startedAt,
        );
      }
      const mine = new Set(claim.claimed);
      const fresh = routed.outcomes.filter((o) => mine.delete(o.idempotencyKey));
      const sized = sizedRecordsFor(fresh, source, deps.topics, new Date(now), deps.limits);
      if (!sized.ok) {
        const reason = `a call request from this event is ${sized.bytes} bytes; the requests topic takes records up to ${sized.limitBytes} bytes (max.message.bytes)`;
        log.warn(
          { source: source.id, bytes: sized.bytes, limitBytes: sized.limitBytes },
          "webhook refused: a call request is too large for Kafka",
        );
        await releaseClaims(claim.claimed);
        return finish(res, source, "payload_too_large", source.refused(413, reason), startedAt);
      }
      const records = sized.records;

      // Remembered once Kafka acknowledges, even if that comes after we answered 503: the
      // sender's retry is then a duplicate rather than a second write.
      const keys = fresh.map((o) => o.idempotencyKey);
      // A failed write gives its claims back so that the sender's retry (or a concurrent
      // delivery waiting on it) writes them; one still pending after we answer keeps them.
      const written = deps.send(records).then(
        () =>
          deps.delivered.remember(keys).catch((error: unknown) => {
            log.warn({ err: error }, "could not remember delivered events; a redelivery will be written again");
          }),
        async (error: unknown) => {
          await releaseClaims(keys);
          throw error;
        },
      );
      try {
        await withTimeout(written, deps.produceTimeoutMs);
      } catch (error) {
        if (error instanceof KafkaOperationError && error.permanent) {
          // Sending again would not help (a topic gone, no permission): the sender should not retry blindly.
          log.error(
            { source: source.id, records: records.length, err: error, code: error.code },
            "Kafka refused the records for good; answering 500",
          );
          return finish(
            res,
            source,
            "error",
            source.refused(500, `the event store refused the records (${error.code ?? "permanent error"})`),
            startedAt,
          );
        }
        log.error({ source: source.id, records: records.length, err: error }, "Kafka did not acknowledge; answering 503");
        return finish(
          res,
          source,
          "unavailable",
          source.refused(503, "event store unavailable; retry later", { "retry-after": RETRY_AFTER_SECONDS }),
          startedAt,
        );
      }

      const accepted = fresh.filter((o) => o.kind === "call");
      const invalid = fresh.length - accepted.length;
      const duplicate = routed.outcomes.length - fresh.length;
      for (const outcome of accepted) deps.metrics.callRequests.inc({ route: outcome.route.name });
      const count = (outcome: "routed" | "ignored" | "duplicate" | "invalid_phone", n: number) => {
        if (n > 0) deps.metrics.events.inc({ source: source.id, outcome }, n);
      };
      count("routed", accepted.length);
      count("invalid_phone", invalid);
      count("duplicate", duplicate);
      count("ignored", routed.ignored);

      const summary = { events: verdict.events.length, accepted: accepted.length, ignored: routed.ignored, duplicate, invalid };
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

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not acknowledged within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
