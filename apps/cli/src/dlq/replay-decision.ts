import { fitsAlone, type OutgoingRecord, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "@callbridge/kafka";
import { DLQ_HEADERS } from "@callbridge/schemas";
import type { LetterFilter } from "./filters.js";
import type { Letter } from "./letter.js";
import { replayedRequestFrom, type Transforms } from "./transform.js";

/** What a replay does with one letter. */
export type LetterDecision =
  | { readonly kind: "not_matching" }
  | { readonly kind: "already_replayed" }
  /** DUPLICATE_CALL letters go again only when named with --code DUPLICATE_CALL. */
  | { readonly kind: "duplicate_call" }
  /** Replayed --max-replays times already. */
  | { readonly kind: "loop_guard" }
  /** The value was cut to fit the dead-letter topic: it is no longer the whole request. */
  | { readonly kind: "value_truncated"; readonly problem: string }
  | { readonly kind: "invalid"; readonly problem: string }
  /** The rewritten request is over the requests topic's max.message.bytes (or its note over the replays topic's). */
  | { readonly kind: "too_large"; readonly problem: string }
  /** `note` goes to the replays topic with the request, so a later run skips the letter. */
  | { readonly kind: "replay"; readonly record: OutgoingRecord; readonly note: OutgoingRecord; readonly bucket: string };

export interface DecisionState {
  readonly filter: LetterFilter;
  readonly isReplayed: (letter: Letter) => boolean;
  readonly maxReplays: number;
  readonly transforms: Transforms;
  /** The requests topic's max.message.bytes. */
  readonly limitBytes: number;
  /** The replays topic's max.message.bytes. */
  readonly noteLimitBytes: number;
  /** The letter's key on the replays topic: `<dlq topic>:<partition>:<offset>`. */
  readonly replayOf: (letter: Letter) => string;
  readonly nowIso: string;
}

/** The whole replay policy for one letter, in the order the checks apply. Pure. */
export function decideLetter(letter: Letter, state: DecisionState): LetterDecision {
  if (!state.filter.matches(letter)) return { kind: "not_matching" };
  if (state.isReplayed(letter)) return { kind: "already_replayed" };
  if (letter.code === "DUPLICATE_CALL" && !state.filter.codes.has("DUPLICATE_CALL")) return { kind: "duplicate_call" };
  if (letter.replayCount >= state.maxReplays) return { kind: "loop_guard" };
  const headers = letter.record.headers;
  if (headers[DLQ_HEADERS.valueTruncated] !== undefined) {
    const original = headers[DLQ_HEADERS.originalValueBytes];
    return {
      kind: "value_truncated",
      problem: `its value was cut to fit the dead-letter topic (${letter.record.value?.length ?? 0} of ${original ?? "?"} bytes kept), so it is not the whole request`,
    };
  }
  const rewritten = replayedRequestFrom(letter.record.value, headers, state.transforms, state.replayOf(letter), state.nowIso);
  if (!rewritten.ok) return { kind: "invalid", problem: rewritten.problem };
  const record: OutgoingRecord = { key: rewritten.key, value: rewritten.value, headers: rewritten.headers };
  if (!fitsAlone(record, state.limitBytes)) {
    return {
      kind: "too_large",
      problem: `the request would be ${RECORD_BATCH_OVERHEAD_BYTES + recordBytes(record)} bytes, over the requests topic's max.message.bytes of ${state.limitBytes}`,
    };
  }
  const note: OutgoingRecord = {
    key: state.replayOf(letter),
    value: JSON.stringify({ replayed_at: state.nowIso, key: rewritten.key }),
  };
  if (!fitsAlone(note, state.noteLimitBytes)) {
    return {
      kind: "too_large",
      problem: `the note that it was replayed is over the replays topic's max.message.bytes of ${state.noteLimitBytes}`,
    };
  }
  return { kind: "replay", record, note, bucket: `${letter.reason}/${letter.code ?? "-"}` };
}
