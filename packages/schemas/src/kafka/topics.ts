/** Default topic names (docs/architecture.md#topics); every app lets env override them. */
export const DEFAULT_TOPICS = {
  callRequests: "callbridge.call-requests.v1",
  callRequestsDlq: "callbridge.call-requests.v1.dlq",
  callResults: "callbridge.call-results.v1",
  /** Which dead letters `callbridge dlq replay` already re-published (compacted; the replay's own position). */
  dlqReplays: "callbridge.dlq-replays.v1",
} as const;

export type TopicRole = keyof typeof DEFAULT_TOPICS;

/** Headers on every call request the ingest writes (other producers may leave them out). */
export const REQUEST_HEADERS = {
  contentType: "content-type",
  schema: "callbridge.schema",
  sourceKind: "callbridge.source.kind",
  sourceId: "callbridge.source.id",
  route: "callbridge.route",
} as const;

/** Value of `callbridge.schema` on call requests. */
export const CALL_REQUEST_SCHEMA_ID = "callbridge.call-request.v1";
