import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "./process.js";

/** What a running instance left on disk: enough to find, check and stop it later. */
export interface InstanceState {
  readonly pid: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly version: string;
  readonly startedAt: string;
  /** `command`: started by `kafka:up`, stopped by `kafka:down`. `lease`: stopped when the last test run lets go. */
  readonly startedBy: "command" | "lease";
  /** Where the JVM writes its class-data-sharing archive on exit, when it was started to make one. */
  readonly cdsDumpFile?: string;
}

export class InstanceFiles {
  constructor(readonly dir: string) {}

  get dataDir(): string {
    return join(this.dir, "data");
  }
  get logsDir(): string {
    return join(this.dir, "logs");
  }
  get serverProperties(): string {
    return join(this.dir, "server.properties");
  }
  get log4jProperties(): string {
    return join(this.dir, "log4j2.properties");
  }
  get serverLog(): string {
    return join(this.logsDir, "server.log");
  }
  get stdoutLog(): string {
    return join(this.logsDir, "stdout.log");
  }
  private get stateFile(): string {
    return join(this.dir, "state.json");
  }
  private get lastPortsFile(): string {
    return join(this.dir, "last-ports.json");
  }
  private get leasesDir(): string {
    return join(this.dir, "leases");
  }

  readState(): InstanceState | undefined {
    try {
      return JSON.parse(readFileSync(this.stateFile, "utf8")) as InstanceState;
    } catch {
      return undefined;
    }
  }

  writeState(state: InstanceState): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(this.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Forgets the process but remembers its ports, so the next start (after kill -9, too) reuses them. */
  clearState(): void {
    const state = this.readState();
    if (state) writeFileSync(this.lastPortsFile, JSON.stringify({ port: state.port, controllerPort: state.controllerPort }));
    rmSync(this.stateFile, { force: true });
  }

  /** The client port of the last run, if any. */
  lastPort(): number | undefined {
    try {
      return (JSON.parse(readFileSync(this.lastPortsFile, "utf8")) as { port: number }).port;
    } catch {
      return this.readState()?.port;
    }
  }

  /**
   * The recorded process, if it is still our broker: the pid is alive and its command line is
   * kafka.Kafka with this instance's config (a recycled pid is never mistaken for it).
   */
  runningPid(): number | undefined {
    const state = this.readState();
    if (!state || !processAlive(state.pid)) return undefined;
    try {
      const cmdline = readFileSync(`/proc/${state.pid}/cmdline`, "utf8");
      return cmdline.includes("kafka.Kafka") && cmdline.includes(this.serverProperties) ? state.pid : undefined;
    } catch {
      return state.pid;
    }
  }

  isFormatted(): boolean {
    return existsSync(join(this.dataDir, "meta.properties"));
  }

  addLease(pid: number): void {
    mkdirSync(this.leasesDir, { recursive: true });
    writeFileSync(join(this.leasesDir, String(pid)), "");
  }

  /** Removes this lease and those of dead processes; returns how many live ones remain. */
  dropLease(pid: number): number {
    if (!existsSync(this.leasesDir)) return 0;
    rmSync(join(this.leasesDir, String(pid)), { force: true });
    let live = 0;
    for (const entry of readdirSync(this.leasesDir)) {
      if (processAlive(Number(entry))) live += 1;
      else rmSync(join(this.leasesDir, entry), { force: true });
    }
    return live;
  }

  logTail(lines = 20): string {
    const tail = (file: string) => {
      try {
        return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
      } catch {
        return "";
      }
    };
    return [tail(this.serverLog), tail(this.stdoutLog)].filter(Boolean).join("\n");
  }
}
