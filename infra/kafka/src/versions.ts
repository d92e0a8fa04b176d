/**
 * The broker we run: the newest Kafka 4.x on Maven Central that kafkajs 2.2.4 works against
 * (checked request by request: every API kafkajs sends has a version 4.4 still accepts).
 * The kafka_2.13 pom has no SLF4J binding; log4j-slf4j-impl must match the log4j-core that
 * Kafka brings (4.4.0 -> 2.25.5), or the broker logs nothing.
 */
export const KAFKA_VERSION = "4.4.0";
export const LOG4J_VERSION = "2.25.5";

/** A fixed cluster id (the one Kafka's docker examples use): formatting stays reproducible. */
export const CLUSTER_ID = "4L6g3nShT-eMCtK--X86sw";
