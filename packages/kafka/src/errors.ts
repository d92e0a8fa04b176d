/** A Kafka operation failed; `retriable` is kafkajs's own judgement, `cause` the original error. */
export class KafkaOperationError extends Error {
  readonly kind = "kafka_operation";

  constructor(
    readonly operation: "connect" | "produce" | "commit" | "admin",
    readonly retriable: boolean,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "KafkaOperationError";
  }
}

export function wrapKafkaError(operation: KafkaOperationError["operation"], error: unknown): KafkaOperationError {
  if (error instanceof KafkaOperationError) return error;
  const retriable = typeof error === "object" && error !== null && (error as { retriable?: unknown }).retriable === true;
  const detail = error instanceof Error ? error.message : String(error);
  return new KafkaOperationError(operation, retriable, `Kafka ${operation} failed: ${detail}`, { cause: error });
}
