import type { OutgoingHttpHeaders } from "node:http";
import type { TopicRecord } from "@callbridge/kafka";
import { type Logger, tracingOn } from "@callbridge/observability";
import { type RoutedWebhook, type RoutingTable, routeEvents } from "@callbridge/routes";
import { maskPhoneNumbersIn } from "@callbridge/schemas";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { DeliveredEvents } from "../delivery/delivered-events.js";
import type { DoNotCallList } from "../delivery/do-not-call.js";
import type { IngestTopics, KafkaOutcome, TopicLimits } from "../delivery/records.js";
import { type WriteOutcome, writeEvents } from "../delivery/write-events.js";
import { type OptOutOutcome, type OptOutWrite, writeOptOuts } from "../delivery/write-opt-outs.js";
import type { EventOutcome, IngestMetrics, RequestOutcome } from "../metrics.js";
import { JSON_CONTENT_TYPE, mediaTypeOf, type Source, type SourceReply, type WebhookSummary } from "../sources/source.js";
import { annotated, endWebhookSpan, producing, startWebhookSpan, webhookTraceFields, webhookTraceId } from "./webhook-span.js";

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

/** The opt-outs of a webhook that matched none: nothing to write, nothing to wait for. */
const NO_OPT_OUTS: OptOutWrite = { kind: "written", written: [] };

/** What we say on 401: nothing that tells an attacker which check failed. */
const UNAUTHORIZED_MESSAGE = "unauthorized";

/**
 * `POST /webhooks/:sourceId`: verify, route, write to Kafka (acks=all), then answer. One
 * handler does admission, the body read and the webhook, so a request passes one router layer.
 */
export function webhookHandler(deps: WebhookDeps): RequestHandler<{ sourceId: string }> {
  const log = deps.logger.child({ component: "webhooks" });
  const finish = finisher(deps.metrics, deps.draining);
  const readBody = express.raw({ type: () => true, limit: deps.maxBodyBytes, inflate: true });
  const failed = failure(deps.maxBodyBytes, log, finish);
  const writeDeps = { ...deps, logger: log };
  return (req, res, next) => {
    const startedAt = performance.now();
    if (tracingOn()) startWebhookSpan(req, res, req.params.sourceId);
    const source = admit(deps, finish, req, res, startedAt);
    if (!source) return;
    readBody(req, res, (error?: unknown) => {
      if (error) return failed(error, source, res, startedAt, next);
      handleWebhook(writeDeps, finish, source, req, res, startedAt).catch((thrown: unknown) =>
        failed(thrown, source, res, startedAt, next),
      );
    });
  };
}

/** A webhook whose body has been read: verify, route, write opt-outs and records, answer. */
async function handleWebhook(
  deps: WebhookDeps,
  finish: Finish,
  source: Source,
  req: Request,
  res: Response,
  startedAt: number,
): Promise<void> {
  // With tracing on, the webhook's lines name its trace and span.
  const log = tracingOn() ? deps.logger.child(webhookTraceFields(res)) : deps.logger;
  const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const now = deps.nowMs();
  const request = { method: req.method, url: `${deps.publicBaseUrl}${req.originalUrl}`, headers: req.headers, rawBody };
  const verdict = annotated(
    res,
    () => source.verify(request, now),
    (v) => ({ "callbridge.webhook.verified": v.ok }),
  );
  if (!verdict.ok) {
    const { rejection } = verdict;
    log.warn({ source: source.id, status: rejection.status, reason: rejection.reason }, "webhook refused");
    return rejection.status === 401
      ? finish(res, source, "unauthorized", source.refused(401, UNAUTHORIZED_MESSAGE), startedAt)
      : finish(res, source, "bad_request", source.refused(400, rejection.reason), startedAt);
  }

  const routed = annotated(
    res,
    () => routeEvents(source, deps.routing, verdict.events, new Date(now)),
    (r) => ({
      "callbridge.webhook.events": verdict.events.length,
      "callbridge.webhook.ignored": r.ignored,
      // Events whose number is unusable: dead-lettered here (invalid_phone), never sent to the worker.
      "callbridge.webhook.invalid_phone": r.outcomes.filter((o) => o.kind === "invalid_phone" || o.kind === "opt_out_invalid_phone").length,
    }),
  );
  const optOuts = routed.outcomes.some((o) => o.kind === "opt_out")
    ? await writeOptOuts(
        { doNotCall: deps.doNotCall, timeoutMs: deps.produceTimeoutMs, logger: log },
        source,
        routed.outcomes,
        new Date(now),
      )
    : NO_OPT_OUTS;
  if (optOuts.kind !== "written") {
    const reason = maskPhoneNumbersIn(optOuts.error instanceof Error ? optOuts.error.message : String(optOuts.error));
    log.error({ source: source.id, reason }, "Redis did not acknowledge the opt-outs; answering 503");
    const reply = source.refused(503, "do-not-call list unavailable; retry later", { "retry-after": RETRY_AFTER_SECONDS });
    return finish(res, source, "unavailable", reply, startedAt);
  }
  const toKafka = routed.outcomes.filter((o): o is KafkaOutcome => o.kind !== "opt_out");
  const keys = () => toKafka.map((o) => o.idempotencyKey);
  const writeDeps = tracingOn() ? { ...deps, logger: log } : deps;
  const outcome = await producing(res, keys, (trace) => writeEvents(writeDeps, source, toKafka, new Date(now), trace));
  if (outcome.kind !== "written") return finish(res, source, ...refusal(outcome, source, log), startedAt);

  const summary = countAccepted(deps.metrics, source, verdict.events.length, routed, outcome, optOuts.written);
  if (log.isLevelEnabled("info")) log.info({ source: source.id, ...summary }, "webhook accepted");
  finish(res, source, "accepted", source.accepted(summary), startedAt);
}

type Failed = (error: unknown, source: Source, res: Response, startedAt: number, next: NextFunction) => void;

/** A body that could not be read, or a webhook that threw: answered in the source's own reply format. */
function failure(maxBodyBytes: number, log: Logger, finish: Finish): Failed {
  return (thrown, source, res, startedAt, next) => {
    if (res.headersSent) return next(thrown);
    const error = (typeof thrown === "object" && thrown !== null ? thrown : {}) as { type?: string; status?: number };
    if (error.type === "entity.too.large") {
      return finish(res, source, "payload_too_large", source.refused(413, `the body is larger than ${maxBodyBytes} bytes`), startedAt);
    }
    if (error.type === "encoding.unsupported" || error.status === 415) {
      return finish(res, source, "unsupported_media_type", source.refused(415, "the content encoding is not supported"), startedAt);
    }
    if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      return finish(res, source, "bad_request", source.refused(400, "the body could not be read"), startedAt);
    }
    log.error({ err: thrown, source: source.id, ...(tracingOn() ? webhookTraceFields(res) : {}) }, "webhook failed");
    return finish(res, source, "error", source.refused(500, "internal error"), startedAt);
  };
}

/** Counts an accepted webhook's events (by outcome), call requests and opt-outs (by name); its summary. */
function countAccepted(
  metrics: IngestMetrics,
  source: Source,
  eventCount: number,
  routed: RoutedWebhook,
  written: Extract<WriteOutcome, { kind: "written" }>,
  optOuts: readonly OptOutOutcome[],
): WebhookSummary {
  const accepted = written.fresh.filter((o) => o.kind === "call");
  const invalid = written.fresh.length - accepted.length;
  for (const call of accepted) metrics.callRequestsOf(call.route.name).inc();
  for (const optOut of optOuts) metrics.optOutsOf(optOut.route.name).inc();
  const events = metrics.eventsOf(source.id);
  const count = (outcome: EventOutcome, n: number) => {
    if (n > 0) events(outcome).inc(n);
  };
  count("routed", accepted.length);
  count("invalid_phone", invalid);
  count("duplicate", written.duplicates);
  count("ignored", routed.ignored);
  count("opt_out", optOuts.length);
  return {
    events: eventCount,
    accepted: accepted.length,
    ignored: routed.ignored,
    duplicate: written.duplicates,
    invalid,
    opt_outs: optOuts.length,
  };
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

/** The answer to a webhook for a source id that is not configured. */
const UNKNOWN_SOURCE: SourceReply = { status: 404, contentType: JSON_CONTENT_TYPE, body: '{"error":"unknown source"}' };

/**
 * Sends a reply and counts it (requests by outcome, duration). It is written with Node's own
 * `writeHead`/`end`: Express's `send` would hash the body for an ETag that no webhook sender
 * uses and parse the content type again for its charset. While draining, every answer closes
 * its connection, so keep-alive senders move to another replica.
 */
function finisher(metrics: IngestMetrics, draining: () => boolean): Finish {
  return (res, source, outcome, reply, startedAt) => {
    const sourceLabel = source?.id ?? "unknown";
    metrics.requestsOf(sourceLabel)(outcome).inc();
    metrics.requestDurationOf(sourceLabel).observe((performance.now() - startedAt) / 1000, tracingOn() ? webhookTraceId(res) : undefined);
    const headers: OutgoingHttpHeaders = {
      "content-type": reply.contentType,
      "content-length": Buffer.byteLength(reply.body),
      ...reply.headers,
    };
    if (draining()) headers.connection = "close";
    res.writeHead(reply.status, headers).end(reply.body);
    if (tracingOn()) endWebhookSpan(res, reply.status, outcome);
  };
}

/** Before the body is read: a known source, not draining, a content type the source takes; the source, or undefined once refused. */
function admit(
  deps: WebhookDeps,
  finish: Finish,
  req: Request<{ sourceId: string }>,
  res: Response,
  startedAt: number,
): Source | undefined {
  const source = deps.sources.get(req.params.sourceId);
  if (!source) {
    finish(res, undefined, "unknown_source", UNKNOWN_SOURCE, startedAt);
    return undefined;
  }
  if (deps.draining()) {
    finish(
      res,
      source,
      "unavailable",
      source.refused(503, "shutting down; retry later", { "retry-after": RETRY_AFTER_SECONDS }),
      startedAt,
    );
    return undefined;
  }
  const mediaType = mediaTypeOf(req.headers["content-type"]);
  if (!source.acceptsContentType(mediaType)) {
    finish(
      res,
      source,
      "unsupported_media_type",
      source.refused(415, `content type ${mediaType || "(none)"} is not accepted here`),
      startedAt,
    );
    return undefined;
  }
  return source;
}
