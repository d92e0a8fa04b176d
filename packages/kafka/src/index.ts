export type { Admin, EnsureTopicsResult, PartitionLag, TopicDescription } from "./admin.js";
export { BrokerProbe, type BrokerProbeOptions, type BrokerReachability } from "./broker-probe.js";
export type {
  BatchContext,
  BatchHandler,
  Consumer,
  ConsumerEvent,
  ConsumerOptions,
  RecordBatch,
  RunOptions,
  TopicPartitions,
} from "./consumer.js";
export { type DecodeResult, decodeJson, encodeJson } from "./envelope.js";
export { KafkaOperationError } from "./errors.js";
export { type FitOptions, type Fitted, fitRecord } from "./fit-record.js";
export { KafkaClient, type KafkaClientConfig } from "./kafka-client.js";
export { type BatchObserver, type BatchSender, ProduceBatcher, type ProduceBatcherOptions, type TopicRecord } from "./produce-batcher.js";
export type { Producer, ProducerOptions, TopicRecords } from "./producer.js";
export { DEFAULT_MAX_MESSAGE_BYTES, fitsAlone, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "./record-size.js";
export type { ConsumedRecord, OutgoingRecord, ProducedRecordMetadata, RecordHeaders, TopicPartitionOffset } from "./records.js";
export { readTopicSnapshot } from "./snapshot.js";
export { deferralTopicSpecs, type TopicCatalogOptions, type TopicSpec, topicCatalog } from "./topics.js";
