export interface BrokerPorts {
  readonly port: number;
  readonly controllerPort: number;
}

/**
 * One process as broker and controller, on loopback. Internal topics have one replica (there
 * is one node); the group rebalance delay is 0 and broker session timeouts are short so tests
 * and restarts after kill -9 are quick.
 */
export function serverProperties(ports: BrokerPorts, dataDir: string): string {
  return `${[
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${ports.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${ports.port},CONTROLLER://127.0.0.1:${ports.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dataDir}`,
    "num.partitions=1",
    "auto.create.topics.enable=false",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "transaction.state.log.num.partitions=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    "broker.session.timeout.ms=2000",
    "broker.heartbeat.interval.ms=500",
  ].join("\n")}\n`;
}

/** WARN and above to a file, plus the lines that say the broker started and which version. */
export function log4jProperties(): string {
  return `${[
    "status = warn",
    "name = callbridge-kafka",
    "appender.file.type = File",
    "appender.file.name = FILE",
    "appender.file.fileName = ${sys:kafka.logs.dir}/server.log",
    "appender.file.append = true",
    "appender.file.layout.type = PatternLayout",
    "appender.file.layout.pattern = [%d] %p %m (%c)%n",
    "rootLogger.level = WARN",
    "rootLogger.appenderRef.file.ref = FILE",
    "logger.started.name = kafka.server.KafkaRaftServer",
    "logger.started.level = INFO",
    "logger.appinfo.name = org.apache.kafka.common.utils.internals.AppInfoParser",
    "logger.appinfo.level = INFO",
  ].join("\n")}\n`;
}
