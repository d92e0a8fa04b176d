/** Default topic names (SPEC §2); every app lets env override them. */
export const DEFAULT_TOPICS = {
  callRequests: "callbridge.call-requests.v1",
  callRequestsDlq: "callbridge.call-requests.v1.dlq",
  callResults: "callbridge.call-results.v1",
} as const;

export type TopicRole = keyof typeof DEFAULT_TOPICS;
