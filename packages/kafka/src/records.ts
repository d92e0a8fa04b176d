/** Header values are UTF-8 strings in callbridge; binary headers are decoded as UTF-8. */
export type RecordHeaders = Record<string, string>;

/** A record to produce. `key` decides the partition; `headers` travel with it. */
export interface OutgoingRecord {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: RecordHeaders;
  /** Force a partition (replays keep the original one only when asked). */
  readonly partition?: number;
}

/** A consumed record, with offsets as decimal strings (they exceed 2^53 in long-lived topics). */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: RecordHeaders;
  /** Broker or producer timestamp, ms since the epoch, as a string. */
  readonly timestamp: string;
}

/** Where a produced batch landed: the first offset written per partition. */
export interface ProducedRecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: string;
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read, i.e. last processed + 1. */
  readonly offset: string;
}

type RawHeaderValue = Buffer | string | (Buffer | string)[] | undefined;

export function decodeHeaders(headers: Record<string, RawHeaderValue> | undefined): RecordHeaders {
  const decoded: RecordHeaders = {};
  if (!headers) return decoded;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // A repeated header keeps its last value, as most Kafka tooling shows it.
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) decoded[name] = Buffer.isBuffer(last) ? last.toString("utf8") : last;
  }
  return decoded;
}
