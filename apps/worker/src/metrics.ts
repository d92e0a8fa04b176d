import {
  Counter,
  childByLabel,
  exemplarsWhenTracing,
  Gauge,
  Histogram,
  LATENCY_BUCKETS_SECONDS,
  type Registry,
  tracedObserver,
} from "@callbridge/observability";

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** Labels are bounded: outcomes, statuses, reasons, the API's documented codes, partitions. Never a phone or an id. */
export function createWorkerMetrics(registry: Registry) {
  const metrics = createMetrics(registry);
  return {
    ...metrics,
    /** `outcomes` for one outcome. */
    outcome: childByLabel((outcome) => metrics.outcomes.labels({ outcome })),
    /** `apiResponses` for one status (or failure kind). */
    apiResponse: childByLabel((status) => metrics.apiResponses.labels({ status })),
    /** `apiDuration` for one status class. */
    apiDurationOf: childByLabel((statusClass) => tracedObserver(metrics.apiDuration, { status_class: statusClass })),
    /** `webhookToCall`, with the trace id of the call as exemplar when tracing is on. */
    webhookToCallObserver: tracedObserver(metrics.webhookToCall, {}),
  };
}

function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    ...requestMetrics(registers),
    ...limiterMetrics(registers),
    ...consumerMetrics(registers),
    ...healthMetrics(registers),
    ...deferralMetrics(registers),
    ...recipientMetrics(registers),
  };
}

/** The recipient guard (docs/recipient-protection.md#how-to-watch-it). */
function recipientMetrics(registers: Registry[]) {
  return {
    recipientDeferrals: new Counter({
      name: "callbridge_worker_recipient_deferrals_total",
      help: "Requests the recipient guard deferred, by reason (calling_window, frequency_cap, cooldown).",
      labelNames: ["reason"] as const,
      registers,
    }),
    recipientDeferralWait: new Histogram({
      name: "callbridge_worker_recipient_deferral_seconds",
      help: "How far ahead the recipient guard deferred a request, by reason.",
      labelNames: ["reason"] as const,
      buckets: [60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 259_200],
      registers,
    }),
    recipientSuppressions: new Counter({
      name: "callbridge_worker_recipient_suppressions_total",
      help: "Requests the recipient guard suppressed (never called), by reason (do_not_call, opt_out, no_consent, frequency_cap, no_calling_window, unknown_time_zone).",
      labelNames: ["reason"] as const,
      registers,
    }),
    windowOpenings: new Counter({
      name: "callbridge_worker_recipient_window_openings_total",
      help: "Requests deferred for their calling window that went on to their call once it opened.",
      registers,
    }),
  };
}

/** Durable deferral and parking (docs/deferral.md#how-to-watch-it). */
function deferralMetrics(registers: Registry[]) {
  return {
    deferrals: new Counter({
      name: "callbridge_worker_deferrals_total",
      help: "Requests written to a deferral tier, by reason (retry_backoff, rate_limited, campaign_not_active, calling_window, frequency_cap, cooldown); a parked request counts at every check.",
      labelNames: ["reason"] as const,
      registers,
    }),
    parkings: new Counter({
      name: "callbridge_worker_parked_requests_total",
      help: "Requests parked for the first time (campaign not active), by the campaign's status (draft, paused, unknown).",
      labelNames: ["campaign_status"] as const,
      registers,
    }),
    redrives: new Counter({
      name: "callbridge_worker_redrives_total",
      help: "Parked requests that went on to their call because the campaign became active.",
      registers,
    }),
    campaignPolls: new Counter({
      name: "callbridge_worker_campaign_polls_total",
      help: "Reads of GET /campaigns/{id} for parked requests, by what they found (a status, or error).",
      labelNames: ["result"] as const,
      registers,
    }),
    deferredRequests: new Gauge({
      name: "callbridge_worker_deferred_requests",
      help: "Requests waiting in each deferral tier (the group's lag on the tier topic).",
      labelNames: ["tier"] as const,
      registers,
    }),
    deferredOverdue: new Gauge({
      name: "callbridge_worker_deferred_overdue_seconds",
      help: "How long past its due time the most overdue waiting request this worker holds is (0 when none is).",
      registers,
    }),
    deferredNextDue: new Gauge({
      name: "callbridge_worker_deferred_next_due_timestamp_seconds",
      help: "Unix time at which the next waiting request this worker holds is due (0 when it holds none).",
      registers,
    }),
  };
}

/** Outcomes of call requests and the Talkover API answers behind them. */
function requestMetrics(registers: Registry[]) {
  return {
    outcomes: new Counter({
      name: "callbridge_worker_requests_total",
      help: "Call requests finished, by outcome (placed, duplicate, dead_lettered, already_placed, suppressed, invalid_message).",
      labelNames: ["outcome"] as const,
      registers,
    }),
    apiResponses: new Counter({
      name: "callbridge_worker_api_responses_total",
      help: "Answers of POST /campaigns/{id}/call by HTTP status, or timeout/connection/aborted when there was none.",
      labelNames: ["status"] as const,
      registers,
    }),
    apiDuration: new Histogram({
      name: "callbridge_worker_api_request_duration_seconds",
      help: "Duration of one Talkover API call attempt (limiter wait excluded), by status class.",
      labelNames: ["status_class"] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      // With tracing on, each bucket keeps the trace id of its latest call (OpenMetrics exemplar).
      ...exemplarsWhenTracing(),
      registers,
    }),
    retries: new Counter({
      name: "callbridge_worker_retries_total",
      help: "Attempts repeated, by reason (server_error, timeout, connection, invalid_response, unexpected_status, rate_limited, unauthorized).",
      labelNames: ["reason"] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: "callbridge_worker_dead_letters_total",
      help: "Records written to the dead-letter topic, by reason and error code.",
      labelNames: ["reason", "code"] as const,
      registers,
    }),
    trimmedRecords: new Counter({
      name: "callbridge_worker_trimmed_records_total",
      help: "Dead letters (and results) cut to fit their topic's size limit, by topic (dead_letters, results).",
      labelNames: ["topic"] as const,
      registers,
    }),
    webhookToCall: new Histogram({
      name: "callbridge_worker_webhook_to_call_seconds",
      help: "From the ingest receiving the CRM webhook to Talkover accepting the call.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      ...exemplarsWhenTracing(),
      registers,
    }),
  };
}

/** The rate limiter and concurrency slots, including the share used while Redis is unreachable. */
function limiterMetrics(registers: Registry[]) {
  return {
    limiterWait: new Histogram({
      name: "callbridge_worker_limiter_wait_seconds",
      help: "Time a call waited for a rate-limit token and a concurrency slot.",
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    limiterQueued: new Gauge({
      name: "callbridge_worker_limiter_queued_calls",
      help: "Calls waiting in the rate limiter on this replica.",
      registers,
    }),
    limiterRecoveries: new Counter({
      name: "callbridge_worker_limiter_recoveries_total",
      help: "Times the shared limiter recovered: Redis lost its state and it was recreated empty (keys_lost), or Redis became unreachable and this replica went on with its share (redis_unreachable).",
      labelNames: ["reason"] as const,
      registers,
    }),
    limiterRate: new Gauge({
      name: "callbridge_worker_limiter_rate_per_second",
      help: "Effective calls per second of the global bucket (lowered after 429s, recovering to the configured rate).",
      registers,
    }),
    limiterLocalShare: new Gauge({
      name: "callbridge_worker_limiter_local_share",
      help: "1 while Redis is unreachable and this replica limits calls by its own share of the rate and concurrency, else 0.",
      registers,
    }),
    groupMembers: new Gauge({
      name: "callbridge_worker_group_members",
      help: "Workers in the consumer group, as last read from Kafka (sizes the share used while Redis is unreachable).",
      registers,
    }),
    inFlightCalls: new Gauge({
      name: "callbridge_worker_in_flight_calls",
      help: "Calls at the Talkover API right now on this replica.",
      registers,
    }),
  };
}

/** Consumption from Kafka. */
function consumerMetrics(registers: Registry[]) {
  return {
    inFlightRecords: new Gauge({
      name: "callbridge_worker_in_flight_records",
      help: "Records taken from Kafka and not finished on this replica.",
      registers,
    }),
    consumerLag: new Gauge({
      name: "callbridge_worker_consumer_lag_records",
      help: "Records on the requests topic not yet committed by the worker group, per partition.",
      labelNames: ["topic", "partition"] as const,
      registers,
    }),
  };
}

/** Whether this replica can do its work. */
function healthMetrics(registers: Registry[]) {
  return {
    circuitOpen: new Gauge({
      name: "callbridge_worker_circuit_open",
      help: "1 while Talkover refuses the API token (401) and calls are paused, else 0.",
      registers,
    }),
    ready: new Gauge({
      name: "callbridge_worker_ready",
      help: "1 while the worker consumes (joined the group, producer connected, not draining), else 0.",
      registers,
    }),
  };
}
