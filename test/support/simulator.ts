import { createLogger } from "@callbridge/observability";
import { createSimulator, Faults, type FaultsInput, loadConfig, type Simulator } from "@callbridge/talkover-sim";

export const SIM_TOKEN = "talq_test_token";

export interface RunningSimulator {
  readonly sim: Simulator;
  readonly url: string;
  setFaults(faults: FaultsInput): Promise<void>;
}

/** The simulator with its zero-config defaults (apps/talkover-sim/README.md), on a free loopback port. */
export async function startSimulator(faults: FaultsInput = {}, env: Record<string, string> = {}): Promise<RunningSimulator> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  const sim = createSimulator(
    { ...loaded.config.simulator, faults: Faults.parse(faults) },
    { logger: createLogger({ name: "sim", level: "silent" }) },
  );
  const url = await sim.listen(0);
  return {
    sim,
    url,
    async setFaults(next) {
      const res = await fetch(`${url}/_sim/faults`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(next),
      });
      if (res.status !== 200) throw new Error(`PUT /_sim/faults answered ${res.status}: ${await res.text()}`);
    },
  };
}
