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
  /** Set to "true" when the key was cut (longer than `maxKeyBytes`, or the last resort). */
  readonly keyTruncatedHeader?: string;
  /** Keys longer than this are cut first, whatever the record's size, bytes. */
  readonly maxKeyBytes?: number;
  readonly trimmedHeaderBytes?: number;
}

export type Fitted = { readonly record: OutgoingRecord; readonly trimmed: "no" | "headers" | "value" | "everything" };

/**
 * Makes a record fit its topic's limit, for records that must land whatever their size (dead
 * letters): first the trimmable headers are cut short, one at a time; if the record still does
 * not fit, the value is cut to the room left, at a UTF-8 boundary, and headers say so and give
 * its original size. The key and the other headers are kept whole, unless they alone exceed the
 * limit: then, as a last resort, every header and the key are cut too (flagged
 * `keyTruncatedHeader`), so that the record always lands.
 */
export function fitRecord(original: OutgoingRecord, options: FitOptions): Fitted {
  const record = withKeyCapped(original, options);
  if (fitsAlone(record, options.limitBytes)) return { record, trimmed: record === original ? "no" : "headers" };
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
  const cutValue = withValueCut({ ...record, headers: flagged }, value, options.limitBytes);
  if (fitsAlone(cutValue, options.limitBytes)) return { record: cutValue, trimmed: "value" };
  // The key and headers alone are over the limit: cut them all to `cut` bytes, then the value again.
  const lastResort: RecordHeaders = Object.fromEntries(
    Object.entries(flagged).map(([name, text]) => [name, cutUtf8(Buffer.from(text, "utf8"), cut).toString("utf8")]),
  );
  if (options.keyTruncatedHeader) lastResort[options.keyTruncatedHeader] = "true";
  const key = record.key === null ? null : cutUtf8(Buffer.isBuffer(record.key) ? record.key : Buffer.from(record.key, "utf8"), cut);
  return { record: withValueCut({ ...record, key, headers: lastResort }, value, options.limitBytes), trimmed: "everything" };
}

/** `record` with its key cut to `maxKeyBytes` (flagged), or `record` itself when the key is shorter. */
function withKeyCapped(record: OutgoingRecord, options: FitOptions): OutgoingRecord {
  if (options.maxKeyBytes === undefined || record.key === null) return record;
  const key = Buffer.isBuffer(record.key) ? record.key : Buffer.from(record.key, "utf8");
  if (key.length <= options.maxKeyBytes) return record;
  const headers: RecordHeaders = { ...record.headers, ...(options.keyTruncatedHeader ? { [options.keyTruncatedHeader]: "true" } : {}) };
  return { ...record, key: cutUtf8(key, options.maxKeyBytes), headers };
}

/** `record` with `value` cut to the room its key and headers leave under `limitBytes`. */
function withValueCut(record: OutgoingRecord, value: Buffer, limitBytes: number): OutgoingRecord {
  const withoutValue = recordBytes({ ...record, value: Buffer.alloc(0) });
  // The value's length varint grows with the value: leave it the most it can take.
  const room = Math.max(0, limitBytes - RECORD_BATCH_OVERHEAD_BYTES - withoutValue - 5);
  return { ...record, value: cutUtf8(value, room) };
}

/** The first `maxBytes` of UTF-8 bytes, not splitting a character. */
function cutUtf8(bytes: Buffer, maxBytes: number): Buffer {
  if (bytes.length <= maxBytes) return bytes;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}
