import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { freePort, portFree } from "@callbridge/ports";
import { type BrokerPorts, log4jProperties, serverProperties } from "./config-files.js";
import { InstanceFiles, type InstanceState } from "./instance-state.js";
import { ensureKafkaJars, requireJava17 } from "./jars.js";
import { withLock } from "./lock.js";
import { cacheRoot, type KafkaPaths, kafkaPaths } from "./paths.js";
import { runCommand, waitForExit } from "./process.js";
import { brokerAnswers, waitForKafka } from "./readiness.js";
import { CLUSTER_ID, KAFKA_VERSION } from "./versions.js";

export interface KafkaLauncherOptions {
  /** Instance name: its own ports, data and logs. `local` for `pnpm kafka:up`, `test` for test runs. */
  readonly name?: string;
  /** Preferred client port; the last one used, or a free one, when absent or taken. */
  readonly port?: number;
  /** Wipe the data directory before starting (a running broker is stopped first). */
  readonly fresh?: boolean;
  /**
   * Wipe the data directory when this call starts the broker; a running one is used as it is.
   * For test instances: the topics earlier runs left are garbage, and they pile up (13,600
   * partitions on one machine, enough to run a 512 MB broker out of heap).
   */
  readonly wipeWhenStarting?: boolean;
  readonly heapMb?: number;
  readonly readyTimeoutMs?: number;
  /** Progress lines (downloads, starts); quiet by default. */
  readonly log?: (line: string) => void;
  /** The environment (for `CALLBRIDGE_CACHE`, the cache root); callers pass `process.env`. */
  readonly env: Record<string, string | undefined>;
}

export interface KafkaInstance {
  readonly name: string;
  /** `host:port` for clients: the broker listener, never the controller one. */
  readonly brokers: string;
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Whether this call started the broker (false: it was already running). */
  readonly started: boolean;
}

interface Context {
  readonly name: string;
  readonly paths: KafkaPaths;
  readonly files: InstanceFiles;
}

function context(options: KafkaLauncherOptions): Context {
  const name = options.name ?? "local";
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`instance name "${name}" must be lower-case letters, digits and dashes`);
  const paths = kafkaPaths(cacheRoot(options.env), KAFKA_VERSION);
  return { name, paths, files: new InstanceFiles(paths.instanceDir(name)) };
}

/** Starts the instance's broker unless it already runs and answers; idempotent and safe to call concurrently. */
export async function startKafka(options: KafkaLauncherOptions): Promise<KafkaInstance> {
  const ctx = context(options);
  mkdirSync(ctx.files.dir, { recursive: true });
  return withLock(ctx.files.dir, () => startLocked(ctx, options, "command"));
}

/**
 * For test harnesses: start (or join) the broker and hold a lease on it. The broker keeps
 * running while any live process holds a lease; `releaseKafka` stops it after the last one,
 * unless it was started by `kafka:up`.
 */
export async function leaseKafka(options: KafkaLauncherOptions): Promise<KafkaInstance> {
  const ctx = context(options);
  mkdirSync(ctx.files.dir, { recursive: true });
  return withLock(ctx.files.dir, async () => {
    const instance = await startLocked(ctx, options, "lease");
    ctx.files.addLease(process.pid);
    return instance;
  });
}

export async function releaseKafka(options: KafkaLauncherOptions): Promise<void> {
  const ctx = context(options);
  await withLock(ctx.files.dir, async () => {
    const remaining = ctx.files.dropLease(process.pid);
    if (remaining === 0 && ctx.files.readState()?.startedBy === "lease") await stopLocked(ctx, "SIGTERM");
  });
}

/** Stops the broker cleanly (SIGTERM, then SIGKILL after 30 s). Returns whether one was running. */
export async function stopKafka(options: KafkaLauncherOptions): Promise<boolean> {
  const ctx = context(options);
  if (!existsSync(ctx.files.dir)) return false;
  return withLock(ctx.files.dir, () => stopLocked(ctx, "SIGTERM"));
}

/** Stops the broker and deletes the instance (data, logs, ports): for throwaway instances. */
export async function deleteKafkaInstance(options: KafkaLauncherOptions): Promise<void> {
  const ctx = context(options);
  if (!existsSync(ctx.files.dir)) return;
  await withLock(ctx.files.dir, async () => {
    await stopLocked(ctx, "SIGTERM");
    rmSync(ctx.files.dir, { recursive: true, force: true });
  });
}

/** kill -9, for fault tests: the data stays, the broker is gone at once. */
export async function killKafka(options: KafkaLauncherOptions): Promise<boolean> {
  const ctx = context(options);
  return withLock(ctx.files.dir, () => stopLocked(ctx, "SIGKILL"));
}

/** Stops and starts the broker on the same ports and data, as a broker restart in production. */
export async function restartKafka(options: KafkaLauncherOptions): Promise<KafkaInstance> {
  const ctx = context(options);
  return withLock(ctx.files.dir, async () => {
    const state = ctx.files.readState();
    await stopLocked(ctx, "SIGTERM");
    return startLocked(ctx, { ...options, fresh: false, ...(state ? { port: state.port } : {}) }, state?.startedBy ?? "command", state);
  });
}

export interface KafkaStatus {
  readonly name: string;
  readonly running: boolean;
  readonly ready: boolean;
  readonly brokers?: string;
  readonly pid?: number;
  readonly logFile: string;
}

export async function kafkaStatus(options: KafkaLauncherOptions): Promise<KafkaStatus> {
  const ctx = context(options);
  const pid = ctx.files.runningPid();
  const state = ctx.files.readState();
  if (pid === undefined || !state) return { name: ctx.name, running: false, ready: false, logFile: ctx.files.serverLog };
  const brokers = `127.0.0.1:${state.port}`;
  const ready = (await brokerAnswers(brokers)).ok;
  return { name: ctx.name, running: true, ready, brokers, pid, logFile: ctx.files.serverLog };
}

async function startLocked(
  ctx: Context,
  options: KafkaLauncherOptions,
  startedBy: InstanceState["startedBy"],
  previous = ctx.files.readState(),
): Promise<KafkaInstance> {
  const log = options.log ?? (() => {});
  const { files } = ctx;
  const runningPid = files.runningPid();
  if (runningPid !== undefined && previous && !options.fresh) {
    const brokers = `127.0.0.1:${previous.port}`;
    // Running and answering: nothing to do. Running and silent (still starting): wait for it.
    await waitForKafka(brokers, { timeoutMs: options.readyTimeoutMs ?? 60_000 });
    return instanceOf(ctx, previous, false);
  }
  if (runningPid !== undefined) await stopLocked(ctx, "SIGTERM");

  const launch = await prepareLaunch(ctx, options, previous, log);
  const cds = classDataSharing(ctx.paths);
  const broker = spawnBroker(ctx, launch, cds, log);
  const state: InstanceState = {
    pid: broker.pid,
    port: launch.ports.port,
    controllerPort: launch.ports.controllerPort,
    version: KAFKA_VERSION,
    startedAt: new Date().toISOString(),
    startedBy,
    ...(cds.dumpFile ? { cdsDumpFile: cds.dumpFile } : {}),
  };
  files.writeState(state);
  try {
    await waitForKafka(`127.0.0.1:${launch.ports.port}`, { timeoutMs: options.readyTimeoutMs ?? 60_000, isAlive: broker.isAlive });
  } catch (error) {
    await stopLocked(ctx, "SIGKILL");
    throw new Error(`Kafka did not start: ${(error as Error).message}\n--- last log lines (${files.serverLog}) ---\n${files.logTail()}`);
  }
  return instanceOf(ctx, state, true);
}

interface Launch {
  readonly ports: BrokerPorts;
  readonly jvm: JvmOptions;
  readonly classpath: string;
}

interface ClassDataSharing {
  readonly args: string[];
  /** Where this start dumps the archive at exit, when there is none yet. */
  readonly dumpFile: string | undefined;
}

/** Java and the jars present, ports chosen, config files written, storage formatted when new or `fresh`. */
async function prepareLaunch(
  ctx: Context,
  options: KafkaLauncherOptions,
  previous: InstanceState | undefined,
  log: (line: string) => void,
): Promise<Launch> {
  const { files } = ctx;
  await requireJava17();
  const jars = await ensureKafkaJars(ctx.paths, log);
  const ports = await choosePorts(ctx.name, options.port ?? previous?.port ?? files.lastPort());

  mkdirSync(files.logsDir, { recursive: true });
  writeFileSync(files.serverProperties, serverProperties(ports, files.dataDir));
  writeFileSync(files.log4jProperties, log4jProperties());
  const jvm = jvmOptions(files, options.heapMb ?? 512);
  const classpath = jars.join(":");

  if (options.fresh || options.wipeWhenStarting || !files.isFormatted()) await formatStorage(files, jvm, classpath);
  return { ports, jvm, classpath };
}

async function formatStorage(files: InstanceFiles, jvm: JvmOptions, classpath: string): Promise<void> {
  rmSync(files.dataDir, { recursive: true, force: true });
  await runCommand("java", [
    "-Xmx256m",
    ...jvm.logging,
    "-cp",
    classpath,
    "kafka.tools.StorageTool",
    "format",
    "-c",
    files.serverProperties,
    "-t",
    CLUSTER_ID,
  ]);
}

/** Class-data sharing: the first start writes an archive at exit, later starts map it. */
function classDataSharing(paths: KafkaPaths): ClassDataSharing {
  if (existsSync(paths.cdsArchive)) return { args: [`-XX:SharedArchiveFile=${paths.cdsArchive}`, "-Xshare:auto"], dumpFile: undefined };
  const dumpFile = `${paths.cdsArchive}.${process.pid}.tmp`;
  return { args: [`-XX:ArchiveClassesAtExit=${dumpFile}`], dumpFile };
}

/** Starts the broker detached, its output appended to the instance's stdout log. */
function spawnBroker(
  ctx: Context,
  launch: Launch,
  cds: ClassDataSharing,
  log: (line: string) => void,
): { readonly pid: number; readonly isAlive: () => boolean } {
  const { files } = ctx;
  const out = openSync(files.stdoutLog, "a");
  log(`starting Kafka ${KAFKA_VERSION} (instance ${ctx.name}) on 127.0.0.1:${launch.ports.port}; logs in ${files.serverLog}`);
  const args = [...launch.jvm.heap, ...launch.jvm.logging, ...cds.args, "-cp", launch.classpath, "kafka.Kafka", files.serverProperties];
  const child = spawn("java", args, { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start java");
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  return { pid, isAlive: () => !exited };
}

async function stopLocked(ctx: Context, signal: "SIGTERM" | "SIGKILL"): Promise<boolean> {
  const pid = ctx.files.runningPid();
  const state = ctx.files.readState();
  if (pid === undefined) {
    ctx.files.clearState();
    return false;
  }
  process.kill(pid, signal);
  if (!(await waitForExit(pid, signal === "SIGKILL" ? 10_000 : 30_000))) {
    process.kill(pid, "SIGKILL");
    await waitForExit(pid, 10_000);
  }
  // A clean exit of a first start leaves the class-data archive; keep it for the next starts.
  if (state?.cdsDumpFile && existsSync(state.cdsDumpFile)) {
    if (signal === "SIGTERM" && !existsSync(ctx.paths.cdsArchive)) renameSync(state.cdsDumpFile, ctx.paths.cdsArchive);
    else rmSync(state.cdsDumpFile, { force: true });
  }
  ctx.files.clearState();
  return true;
}

interface JvmOptions {
  readonly heap: string[];
  readonly logging: string[];
}

function jvmOptions(files: InstanceFiles, heapMb: number): JvmOptions {
  return {
    heap: [`-Xms${Math.min(256, heapMb)}m`, `-Xmx${heapMb}m`, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"],
    logging: [
      `-Dlog4j2.configurationFile=${files.log4jProperties}`,
      `-Dkafka.logs.dir=${files.logsDir}`,
      "-Dlog4j2.shutdownHookEnabled=false",
    ],
  };
}

/** The preferred port pair when free (the `local` instance defaults to 19092/19093), else free ones. */
async function choosePorts(name: string, preferred: number | undefined): Promise<BrokerPorts> {
  const wanted = preferred ?? (name === "local" ? 19092 : undefined);
  if (wanted !== undefined && (await portFree(wanted)) && (await portFree(wanted + 1))) return { port: wanted, controllerPort: wanted + 1 };
  return { port: await freePort(), controllerPort: await freePort() };
}

function instanceOf(ctx: Context, state: InstanceState, started: boolean): KafkaInstance {
  return {
    name: ctx.name,
    brokers: `127.0.0.1:${state.port}`,
    pid: state.pid,
    port: state.port,
    controllerPort: state.controllerPort,
    dataDir: ctx.files.dataDir,
    logFile: ctx.files.serverLog,
    started,
  };
}
