import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file is infra/grafana/{src,dist}/prove/config.{ts,js}. */
export const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

export type Env = Readonly<Record<string, string | undefined>>;

export interface ProveConfig {
  /** `KAFKA_BROKERS`: use this broker instead of starting one (it is then not stalled, so the 503 targets cannot fail the run). */
  readonly kafkaBrokers: string | undefined;
  /** `PROMETHEUS_BIN` (default Debian's /usr/bin/prometheus); promtool is looked for beside it. */
  readonly prometheusBin: string;
  /** `PROVE_LOAD_SECONDS` (default 70): how long the load runs. */
  readonly loadSeconds: number;
  /** `PROVE_TIMEOUT_SECONDS` (default 175): the whole run gives up after this. */
  readonly timeoutSeconds: number;
  /** `PROVE_DASHBOARDS_DIR` (default infra/grafana/dashboards): the dashboard JSON files under proof. */
  readonly dashboardsDir: string;
  /** The caller's environment: the Kafka launcher reads its cache root from it, and started processes inherit it. */
  readonly env: Env;
}

function positiveSeconds(name: string, value: string | undefined, fallback: number): number {
  const seconds = Number(value ?? fallback);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${name} must be a positive number of seconds, not "${value}"`);
  return seconds;
}

export function loadProveConfig(env: Env): ProveConfig {
  return {
    kafkaBrokers: env.KAFKA_BROKERS || undefined,
    prometheusBin: env.PROMETHEUS_BIN ?? "/usr/bin/prometheus",
    loadSeconds: positiveSeconds("PROVE_LOAD_SECONDS", env.PROVE_LOAD_SECONDS, 70),
    timeoutSeconds: positiveSeconds("PROVE_TIMEOUT_SECONDS", env.PROVE_TIMEOUT_SECONDS, 175),
    dashboardsDir: env.PROVE_DASHBOARDS_DIR ?? join(REPO_ROOT, "infra/grafana/dashboards"),
    env,
  };
}
