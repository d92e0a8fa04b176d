import type { OutgoingRecord } from "./records.js";

/**
 * Bytes of a record batch's own header in Kafka's v2 message format (base offset, length,
 * epoch, magic, CRC, attributes, offsets, timestamps, producer id, epoch, sequence, count).
 * The broker's `message.max.bytes` (a topic's `max.message.bytes`) bounds a whole batch.
 */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;

/** The broker's default `message.max.bytes`, for when a topic's own limit cannot be read. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** Most bytes a varint of this value takes (zig-zag, as in the record format). */
function varintBytes(value: number): number {
  let zigzag = value < 0 ? -2 * value - 1 : 2 * value;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes += 1;
  }
  return bytes;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === "string" ? Buffer.byteLength(value, "utf8") : value.length;
}

/**
 * The size of one record in Kafka's v2 format, uncompressed, as it sits in a batch: length,
 * attributes, timestamp and offset deltas (at their largest), key, value and headers, each with
 * its length as a varint. An upper bound for what the broker counts (compression only shrinks it).
 */
export function recordBytes(record: OutgoingRecord): number {
  const key = byteLength(record.key);
  const value = byteLength(record.value);
  let body = 1 + 10 + 5 + varintBytes(record.key === null ? -1 : key) + key + varintBytes(record.value === null ? -1 : value) + value;
  const headers = Object.entries(record.headers ?? {});
  body += varintBytes(headers.length);
  for (const [name, headerValue] of headers) {
    const n = Buffer.byteLength(name, "utf8");
    const v = Buffer.byteLength(headerValue, "utf8");
    body += varintBytes(n) + n + varintBytes(v) + v;
  }
  return varintBytes(body) + body;
}

/** Whether a batch holding only this record fits under a topic's `limitBytes`. */
export function fitsAlone(record: OutgoingRecord, limitBytes: number): boolean {
  return RECORD_BATCH_OVERHEAD_BYTES + recordBytes(record) <= limitBytes;
}
