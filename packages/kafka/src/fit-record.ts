import { fitsAlone, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "./record-size.js";
import type { OutgoingRecord, RecordHeaders } from "./records.js";

export interface FitOptions {
  /** The topic's `max.message.bytes`. */
  readonly limitBytes: number;
  /** Headers that may be cut (to `trimmedHeaderBytes`), in the order to cut them. */
  readonly trimmableHeaders: readonly string[];
  /** Set to "true" when the value had to be cut. */
  readonly truncatedHeader: string;
  /** Set to the value's original size in bytes when it had to be cut. */
  readonly originalSizeHeader: string;
  readonly trimmedHeaderBytes?: number;
}

export type Fitted = { readonly record: OutgoingRecord; readonly trimmed: "no" | "headers" | "value" };

/**
 * Makes a record fit its topic's limit, for records that must land whatever their size (dead
 * letters): first the trimmable headers are cut short, one at a time; if the record still does
 * not fit, the value is cut to the room left, at a UTF-8 boundary, and headers say so and give
 * its original size. The key and the other headers are kept whole.
 */
export function fitRecord(record: OutgoingRecord, options: FitOptions): Fitted {
  if (fitsAlone(record, options.limitBytes)) return { record, trimmed: "no" };
  const headers: RecordHeaders = { ...record.headers };
  const cut = options.trimmedHeaderBytes ?? 256;
  for (const name of options.trimmableHeaders) {
    const value = headers[name];
    if (value === undefined || Buffer.byteLength(value, "utf8") <= cut) continue;
    headers[name] = cutUtf8(Buffer.from(value, "utf8"), cut).toString("utf8");
    const candidate = { ...record, headers };
    if (fitsAlone(candidate, options.limitBytes)) return { record: candidate, trimmed: "headers" };
  }
  const value = record.value === null ? Buffer.alloc(0) : Buffer.isBuffer(record.value) ? record.value : Buffer.from(record.value, "utf8");
  const flagged: RecordHeaders = { ...headers, [options.truncatedHeader]: "true", [options.originalSizeHeader]: String(value.length) };
  const withoutValue = recordBytes({ ...record, value: Buffer.alloc(0), headers: flagged });
  // The value's length varint grows with the value: leave it the most it can take.
  const room = Math.max(0, options.limitBytes - RECORD_BATCH_OVERHEAD_BYTES - withoutValue - 5);
  return { record: { ...record, value: cutUtf8(value, room), headers: flagged }, trimmed: "value" };
}

/** The first `maxBytes` of UTF-8 bytes, not splitting a character. */
function cutUtf8(bytes: Buffer, maxBytes: number): Buffer {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}
