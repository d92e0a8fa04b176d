import type { TopicRecord } from "@callbridge/kafka";
import type { RouteOutcome } from "@callbridge/routes";
import { CALL_REQUEST_SCHEMA_ID, CONNECT_ERROR_HEADERS, callRequestKey, DLQ_HEADERS, REQUEST_HEADERS } from "@callbridge/schemas";
import type { Source } from "../sources/source.js";

export interface IngestTopics {
  readonly callRequests: string;
  readonly deadLetters: string;
}

/**
 * A call request becomes a record keyed `{campaign_id}:{to}` on the requests topic. A route
 * hit without a usable number becomes a dead letter (`invalid_phone`) holding the request as
 * far as it got, plus the original event, so it can be fixed and replayed.
 */
export function recordFor(outcome: RouteOutcome, source: Source, topics: IngestTopics, now: Date): TopicRecord {
  if (outcome.kind === "call") {
    return {
      topic: topics.callRequests,
      record: {
        key: callRequestKey(outcome.request),
        value: JSON.stringify(outcome.request),
        headers: {
          [REQUEST_HEADERS.contentType]: "application/json",
          [REQUEST_HEADERS.schema]: CALL_REQUEST_SCHEMA_ID,
          [REQUEST_HEADERS.sourceKind]: source.kind,
          [REQUEST_HEADERS.sourceId]: source.id,
          [REQUEST_HEADERS.route]: outcome.route.name,
        },
      },
    };
  }
  const at = now.toISOString();
  return {
    topic: topics.deadLetters,
    record: {
      key: `${source.id}:${outcome.event.id}`,
      value: JSON.stringify({ ...outcome.draft, original_event: outcome.event.fields }),
      headers: {
        [REQUEST_HEADERS.contentType]: "application/json",
        [DLQ_HEADERS.reason]: "invalid_phone",
        [DLQ_HEADERS.errorMessage]: outcome.problem,
        [DLQ_HEADERS.attempts]: "0",
        [DLQ_HEADERS.firstAttemptAt]: at,
        [DLQ_HEADERS.failedAt]: at,
        [DLQ_HEADERS.replayCount]: "0",
        [DLQ_HEADERS.campaignId]: outcome.route.campaign_id,
        [DLQ_HEADERS.sourceKind]: source.kind,
        [DLQ_HEADERS.route]: outcome.route.name,
        [CONNECT_ERROR_HEADERS.exceptionMessage]: `invalid_phone: ${outcome.problem}`,
      },
    },
  };
}
