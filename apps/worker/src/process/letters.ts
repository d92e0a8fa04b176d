import { type CallRequest, maskPhoneNumbersIn } from "@callbridge/schemas";
import type { Deferral } from "../deferral/deferral-record.js";
import type { DeadLetter } from "../delivery/records.js";
import type { ThrottledLog } from "../throttled-log.js";
import type { AttemptState } from "./decide.js";
import { type Finished, finished } from "./finished.js";

/** A dead letter as the processor decides it; the attempts and the campaign are added by `letterEnd`. */
export type DeadLetterDraft = Omit<DeadLetter, "attempts" | "firstAttemptAt" | "campaignId">;

/**
 * The end of a request that is dead-lettered: the letter, with the attempts made (this run's, or
 * those it carried through its deferral), and its `dead_lettered` result. Warns, throttled.
 */
export function letterEnd(
  request: CallRequest,
  state: AttemptState,
  deferral: Deferral | undefined,
  draft: DeadLetterDraft,
  now: () => Date,
  warnings: ThrottledLog,
): Finished {
  const attempts = state.calls > 0 ? state : (deferral?.attempts ?? state);
  const letter: DeadLetter = {
    ...draft,
    attempts: attempts.calls,
    firstAttemptAt: attempts.firstAttemptAt,
    campaignId: request.campaign_id,
  };
  const result = finished(request, now, attempts.calls, {
    outcome: "dead_lettered",
    reason: letter.reason,
    error_message: letter.message,
    ...(letter.httpStatus === undefined ? {} : { http_status: letter.httpStatus }),
    ...(letter.errorCode === undefined ? {} : { error_code: letter.errorCode }),
    ...(letter.existingCall === undefined ? {} : { existing_call: letter.existingCall }),
    ...(letter.campaignStatus === undefined ? {} : { campaign_status: letter.campaignStatus }),
  });
  warnings.warn(`requests dead-lettered: ${letter.reason}`, {
    code: letter.errorCode,
    status: letter.httpStatus,
    message: maskPhoneNumbersIn(letter.message),
    campaign: request.campaign_id,
  });
  return { ...result, deadLetter: letter };
}
