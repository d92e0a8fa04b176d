import { z } from "zod";
import { E164PhoneNumber } from "../phone.js";
import { JsonObject } from "../talkover/campaign-call.js";

const Timestamp = z.iso.datetime({ offset: true });

/** Where a call request came from: the CRM event that caused it. */
export const CallRequestSource = z.object({
  kind: z
    .string()
    .min(1)
    .describe("Source kind: `hubspot`, `standard-webhooks`, `pipedrive`, `salesforce-outbound`, or another producer's name."),
  event_id: z.string().min(1).describe("The sender's id for the event, the ingest's dedupe key."),
  route: z.string().min(1).describe("Name of the route that turned the event into this request."),
  received_at: Timestamp.describe("When the ingest received the webhook (ISO 8601)."),
});
export type CallRequestSource = z.infer<typeof CallRequestSource>;

/**
 * CallRequest v1: the value of a record on `callbridge.call-requests.v1`, and the only contract
 * between the ingest (or any other producer) and the worker. Unknown fields are ignored so the
 * contract can grow without a new version; a different `version` is rejected.
 */
export const CallRequest = z
  .object({
    version: z.literal(1).default(1).describe("Contract version; omitted means 1."),
    idempotency_key: z.string().min(1).max(512).describe("The call is placed at most once per key, however often the record is delivered."),
    campaign_id: z.string().min(1).max(256).describe("Talkover campaign to call under."),
    to: E164PhoneNumber.describe("Phone number, E.164."),
    payload: JsonObject.default({}).describe("Template variables for the campaign agent prompt."),
    context: JsonObject.default({}).describe("Opaque data echoed back in Talkover's webhooks for this call."),
    is_testing: z.boolean().default(false).describe("Test call: no billing, left out of analytics."),
    allow_duplicates: z.boolean().default(false).describe("Call even if the number already has a queued or active call in the campaign."),
    consent: z
      .boolean()
      .optional()
      .describe(
        "The recipient's consent as the route read it. Absent: the route does not ask. false: the worker suppresses the request (no_consent) instead of calling.",
      ),
    source: CallRequestSource.optional().describe("The CRM event behind the request; producers other than the ingest may leave it out."),
    requested_at: Timestamp.optional().describe("When the producer asked for the call (ISO 8601)."),
  })
  .meta({
    $id: "urn:callbridge:schema:call-request:v1",
    title: "CallRequest v1",
    description: 'Value of a record on the callbridge.call-requests.v1 topic (JSON, UTF-8). Record key: "{campaign_id}:{to}".',
  });
export type CallRequest = z.infer<typeof CallRequest>;
/** What a producer may write: defaults not yet applied. */
export type CallRequestInput = z.input<typeof CallRequest>;

/** Record key: same campaign and number land on one partition, in order. */
export function callRequestKey(request: Pick<CallRequest, "campaign_id" | "to">): string {
  return `${request.campaign_id}:${request.to}`;
}

/** The JSON Schema other producers validate against; committed as `json-schema/call-request.v1.json`. */
export function callRequestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(CallRequest, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
