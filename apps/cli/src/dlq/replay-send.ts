import type { OutgoingRecord, TopicRecords } from "@callbridge/kafka";

/** The part of a producer a replay uses (a test can hand in its own). */
export interface ReplaySender {
  sendBatch(batches: readonly TopicRecords[]): Promise<unknown>;
}

/** One letter on its way: the request, and the note on the replays topic that it was replayed. */
export interface Outgoing {
  readonly id: string;
  readonly bucket: string;
  readonly request: OutgoingRecord;
  readonly note: OutgoingRecord;
}

/** What to do about a failed produce request. */
export type SendFailure =
  /** The broker refused it for its size: split the batch; a letter refused alone is skipped. */
  | { readonly kind: "too_large"; readonly message: string }
  /** The broker refused it for a reason sending again will not mend: stop the replay. */
  | { readonly kind: "permanent"; readonly message: string }
  /** Kafka was away or slow past the client's retries: stop; a rerun continues. */
  | { readonly kind: "transient"; readonly message: string };

/** Reads KafkaOperationError's `tooLarge` / `permanent` / `code` without depending on its class. Pure. */
export function classifySendFailure(error: unknown): SendFailure {
  const e = (typeof error === "object" && error !== null ? error : {}) as { tooLarge?: unknown; permanent?: unknown; code?: unknown };
  const detail = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
  const message = typeof e.code === "string" && !detail.includes(e.code) ? `${e.code}: ${detail}` : detail;
  if (e.tooLarge === true) return { kind: "too_large", message };
  if (e.permanent === true) return { kind: "permanent", message };
  return { kind: "transient", message };
}

/** How a batch went: the letters replayed and recorded, those refused alone for their size, and a failure that ends the run. */
export interface BatchOutcome {
  readonly acknowledged: readonly Outgoing[];
  readonly refused: readonly { readonly letter: Outgoing; readonly message: string }[];
  readonly stop?: Exclude<SendFailure, { kind: "too_large" }> & { readonly unrecorded?: number };
}

/**
 * Sends letters' requests in one produce request, then the notes that they were replayed in
 * another: a produce request to two topics is not atomic, and a note must never say a letter
 * was replayed when its request did not land. When the broker refuses the requests for their
 * size, each goes once more alone and one it still refuses is skipped: never a retry loop. A
 * permanent or transient failure ends the batch.
 */
export async function sendLetters(
  sender: ReplaySender,
  requestsTopic: string,
  replaysTopic: string,
  letters: readonly Outgoing[],
): Promise<BatchOutcome> {
  const sendRequests = (batch: readonly Outgoing[]) => sender.sendBatch([{ topic: requestsTopic, records: batch.map((l) => l.request) }]);
  const landed: Outgoing[] = [];
  const refused: { letter: Outgoing; message: string }[] = [];
  let stop: BatchOutcome["stop"];
  try {
    await sendRequests(letters);
    landed.push(...letters);
  } catch (error) {
    const failure = classifySendFailure(error);
    if (failure.kind !== "too_large") return { acknowledged: [], refused: [], stop: failure };
    if (letters.length === 1 && letters[0]) return { acknowledged: [], refused: [{ letter: letters[0], message: failure.message }] };
    for (const letter of letters) {
      try {
        await sendRequests([letter]);
        landed.push(letter);
      } catch (alone) {
        const again = classifySendFailure(alone);
        if (again.kind !== "too_large") {
          stop = again;
          break;
        }
        refused.push({ letter, message: again.message });
      }
    }
  }
  if (landed.length === 0) return { acknowledged: [], refused, ...(stop ? { stop } : {}) };
  try {
    await sender.sendBatch([{ topic: replaysTopic, records: landed.map((l) => l.note) }]);
  } catch (error) {
    const failure = classifySendFailure(error);
    // Replayed but not recorded: a rerun sends them again, which the worker's ledger makes harmless.
    return {
      acknowledged: [],
      refused,
      stop: { kind: failure.kind === "transient" ? "transient" : "permanent", message: failure.message, unrecorded: landed.length },
    };
  }
  return { acknowledged: landed, refused, ...(stop ? { stop } : {}) };
}
