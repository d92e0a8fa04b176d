/**
 * A Kafka operation failed. `retriable` is kafkajs's own judgement of the error it threw (its
 * "retries exhausted" error says false even when the cause was a broker that was away);
 * `permanent` is true only when the broker itself answered with an error that sending again
 * will not mend (`MESSAGE_TOO_LARGE`, `TOPIC_AUTHORIZATION_FAILED`, ... — the protocol's error
 * table marks each code retriable or not); `code` is that error's name; `cause` the original.
 */
export class KafkaOperationError extends Error {
  readonly kind = "kafka_operation";

  constructor(
    readonly operation: "connect" | "produce" | "commit" | "admin",
    readonly retriable: boolean,
    message: string,
    options: { cause: unknown },
    readonly code: string | undefined = undefined,
    readonly permanent = false,
  ) {
    super(message, options);
    this.name = "KafkaOperationError";
  }

  /** The broker refused a record (or a batch) for its size: sending it again will not help. */
  get tooLarge(): boolean {
    return this.code === "MESSAGE_TOO_LARGE" || this.code === "RECORD_LIST_TOO_LARGE";
  }
}

export function wrapKafkaError(operation: KafkaOperationError["operation"], error: unknown): KafkaOperationError {
  if (error instanceof KafkaOperationError) return error;
  const retriable = typeof error === "object" && error !== null && (error as { retriable?: unknown }).retriable === true;
  const detail = error instanceof Error ? error.message : String(error);
  const broker = brokerError(error);
  return new KafkaOperationError(
    operation,
    retriable,
    `Kafka ${operation} failed: ${detail}`,
    { cause: error },
    broker?.code,
    broker?.permanent ?? false,
  );
}

/** The broker's answer, from the error or one it wraps (kafkajs nests protocol errors in retry errors). */
function brokerError(error: unknown): { code: string; permanent: boolean } | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const { type, retriable, originalError, cause } = current as {
      type?: unknown;
      retriable?: unknown;
      originalError?: unknown;
      cause?: unknown;
    };
    if (typeof type === "string" && /^[A-Z_]+$/.test(type)) return { code: type, permanent: retriable === false };
    current = originalError ?? cause;
  }
  return undefined;
}
