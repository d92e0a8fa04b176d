import { createLogger } from "@callbridge/observability";
import { Faults, type FaultsInput } from "../faults.js";
import { createSimulator, type Simulator } from "../simulator.js";
import { DEFAULT_CAMPAIGNS } from "../state/campaigns.js";
import type { SimulatorClock } from "../state/simulator-state.js";

export interface TestSimulator {
  readonly sim: Simulator;
  readonly url: string;
  /** POST a call with the default token (`talq_test_token`); `body` is sent as given (a string goes out raw). */
  call(campaignId: string, body: unknown, init?: { headers?: Record<string, string> }): Promise<Response>;
}

const TEST_TOKEN = "talq_test_token";

export async function startSimulator(
  options: { faults?: FaultsInput; clock?: SimulatorClock; lifecycle?: { queuedMs: number; activeMs: number }; maxBodyBytes?: number } = {},
): Promise<TestSimulator> {
  const sim = createSimulator(
    {
      tokens: [TEST_TOKEN],
      campaigns: DEFAULT_CAMPAIGNS,
      lifecycle: options.lifecycle ?? { queuedMs: 5_000, activeMs: 20_000 },
      faults: Faults.parse(options.faults ?? {}),
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    },
    { logger: createLogger({ name: "talkover-sim-test", level: "silent" }), ...(options.clock ? { clock: options.clock } : {}) },
  );
  const url = await sim.listen(0);
  return {
    sim,
    url,
    call: (campaignId, body, init = {}) =>
      fetch(`${url}/api/v1/campaigns/${campaignId}/call`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json", ...init.headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
  };
}
