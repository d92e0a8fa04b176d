import { z } from "zod";
import { SuppressionReason } from "../recipients/suppression.js";
import { CampaignStatus } from "../talkover/campaign.js";
import { CampaignCall, ExistingCall } from "../talkover/campaign-call.js";
import { CallRequestSource } from "./call-request.js";
import { DeferralReason } from "./deferral.js";
import { DlqReason } from "./dlq-headers.js";

const Timestamp = z.iso.datetime({ offset: true });

const CallResultBase = z.object({
  version: z.literal(1),
  idempotency_key: z.string(),
  campaign_id: z.string(),
  to: z.string(),
  is_testing: z.boolean(),
  /** Attempts made against the API for this request (0 when none was needed). */
  attempts: z.number().int().nonnegative(),
  source: CallRequestSource.optional(),
  context: z.record(z.string(), z.unknown()).optional(),
  requested_at: Timestamp.optional(),
  /** When the worker decided the outcome. */
  decided_at: Timestamp,
  /**
   * The W3C trace id (32 lower-case hex digits) of the trace this request was processed in,
   * from the webhook to this event; present when the worker traces (OpenTelemetry on).
   */
  trace_id: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});

/**
 * One event per call request on `callbridge.call-results.v1`, keyed by idempotency key,
 * for CRM write-back and audits.
 */
export const CallResult = z.discriminatedUnion("outcome", [
  /** Talkover answered 201: the call is queued. */
  CallResultBase.extend({ outcome: z.literal("placed"), call: CampaignCall }),
  /** Talkover answered 409 and configuration says that is a plain outcome, not a dead letter. */
  CallResultBase.extend({ outcome: z.literal("duplicate"), existing_call: ExistingCall }),
  /** The request went to the dead-letter topic. */
  CallResultBase.extend({
    outcome: z.literal("dead_lettered"),
    reason: DlqReason,
    http_status: z.number().int().optional(),
    error_code: z.string().optional(),
    error_message: z.string(),
    /** A 409 DUPLICATE_CALL: the call the API already has (as in the dead letter's header). */
    existing_call: ExistingCall.optional(),
    /** Letters about a campaign that is not active: its status when last seen. */
    campaign_status: CampaignStatus.optional(),
  }),
  /** The idempotency ledger says this key was placed before; nothing was sent. */
  CallResultBase.extend({ outcome: z.literal("already_placed"), call_id: z.string().optional() }),
  /**
   * Not final: the request waits durably until `not_before` (a long Retry-After or backoff
   * step, the recipient's calling window, frequency cap or cooldown); its final event follows.
   */
  CallResultBase.extend({
    outcome: z.literal("deferred"),
    reason: DeferralReason,
    not_before: Timestamp,
    deferrals: z.number().int().positive(),
  }),
  /**
   * Final: the recipient guard did not let the request be called (the do-not-call list, an
   * opt-out, missing consent, or the policy); nothing was sent to the API.
   */
  CallResultBase.extend({
    outcome: z.literal("suppressed"),
    reason: SuppressionReason,
    /** What the reason rests on, in words (never the whole number). */
    detail: z.string().optional(),
  }),
  /**
   * Not final: the campaign is `draft` or `paused`; the request is parked until it is
   * `active` (or dead-lettered `parked_expired`). Written once, when it is first parked.
   */
  CallResultBase.extend({
    outcome: z.literal("parked"),
    reason: z.literal("campaign_not_active"),
    /** Absent when the campaign could not be read (the request is parked all the same). */
    campaign_status: CampaignStatus.optional(),
  }),
]);
export type CallResult = z.infer<typeof CallResult>;
export type CallOutcome = CallResult["outcome"];
