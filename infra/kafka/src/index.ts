export {
  deleteKafkaInstance,
  type KafkaInstance,
  type KafkaLauncherOptions,
  type KafkaStatus,
  kafkaStatus,
  killKafka,
  leaseKafka,
  releaseKafka,
  restartKafka,
  startKafka,
  stopKafka,
} from "./launcher.js";
export { KAFKA_VERSION } from "./versions.js";
