import { z } from "zod";

/**
 * The do-not-call list the workers, the ingest and the CLI share: a Redis hash at this key, one
 * field per E.164 number, each value a `SuppressionEntry` as JSON. A number listed here is never
 * called; its requests end as `suppressed` results (docs/recipient-protection.md).
 */
export const SUPPRESSION_LIST_KEY = "callbridge:do-not-call";

/**
 * Why a number is on the list: `do_not_call` (an operator added or imported it) or `opt_out`
 * (the person opted out in the CRM, and an opt-out route of the ingest wrote it).
 */
export const SuppressionListReason = z.enum(["do_not_call", "opt_out"]);
export type SuppressionListReason = z.infer<typeof SuppressionListReason>;

/** One number on the list. `source`: who put it there (`cli`, `import`, or `route:<name>`). */
export const SuppressionEntry = z.object({
  reason: SuppressionListReason,
  source: z.string().min(1).max(200),
  added_at: z.iso.datetime({ offset: true }),
});
export type SuppressionEntry = z.infer<typeof SuppressionEntry>;

/**
 * Why the recipient guard suppressed a request (a final `suppressed` result; nothing is called):
 * - `do_not_call`, `opt_out`: the number is on the do-not-call list, for that reason;
 * - `no_consent`: the route requires consent and the request's `consent` is false;
 * - `frequency_cap`: over the recipient's cap, and the policy says suppress rather than defer;
 * - `no_calling_window`: the policy's calling hours never open in all of the number's time zones at once;
 * - `unknown_time_zone`: the number's time zone is unknown and the policy says not to guess.
 */
export const SuppressionReason = z.enum([
  "do_not_call",
  "opt_out",
  "no_consent",
  "frequency_cap",
  "no_calling_window",
  "unknown_time_zone",
]);
export type SuppressionReason = z.infer<typeof SuppressionReason>;

/**
 * Redis key prefix of one recipient's recent calls across campaigns and replicas
 * (`{prefix}{E.164}`): a sorted set of idempotency keys scored by when each was let through, ms
 * since the epoch; it expires after the longest period the policy counts.
 */
export const RECIPIENT_CALLS_KEY_PREFIX = "callbridge:recipient-calls:";
