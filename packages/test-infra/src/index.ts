export { deleteKafkaInstance, killKafka, restartKafka, startKafka, stopKafka } from "@callbridge/kafka-launcher";
export { freePort, freePortBelowEphemeralRange } from "@callbridge/ports";
export { containerRuntimeAvailable } from "./container-runtime.js";
export { KAFKA_IMAGE, type ProvidedKafka, provideKafka } from "./kafka-provider.js";
export { uniqueName } from "./names.js";
export type {} from "./provided-context.js";
export { type ProvidedRedis, provideRedis, REDIS_IMAGE } from "./redis-provider.js";
export { type RedisServerProcess, redisServerAvailable, startRedisServer } from "./redis-server.js";
