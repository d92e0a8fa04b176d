// One autocannon run of signed Standard Webhooks (unique ids) against a server, with the CPU
// time the server process spent meanwhile, read from /proc.
import { uniqueName } from "@callbridge/test-infra";
import { DEV_SECRETS, standardWebhook } from "@callbridge/webhook-samples";
import autocannon from "autocannon";
import { cpuMsDuring } from "../support/proc-stats.js";

export interface LoadOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Offered requests per second over all connections; as fast as the server answers when absent. */
  readonly rate?: number;
}

export interface Measured {
  readonly requestsPerSecond: number;
  /** Webhooks answered 2xx. */
  readonly accepted: number;
  /** CPU (user + system) the server process spent in the run, ms. */
  readonly cpuMs: number;
  /** `cpuMs` per accepted webhook, ms. */
  readonly cpuMsPerWebhook: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** Posts signed webhooks to `${url}/webhooks/standard` for `options.seconds`; the server is process `pid`. */
export async function measure(url: string, pid: number, options: LoadOptions): Promise<Measured> {
  let n = 0;
  const prefix = uniqueName("bench");
  const { result, cpuMs } = await cpuMsDuring([pid], () =>
    autocannon({
      url: `${url}/webhooks/standard`,
      method: "POST",
      connections: options.connections,
      duration: options.seconds,
      ...(options.rate ? { overallRate: options.rate } : {}),
      requests: [
        {
          setupRequest: (request) => {
            n += 1;
            const signed = standardWebhook({
              sourceId: "standard",
              secret: DEV_SECRETS.standardWebhooksSecret,
              id: `${prefix}-${n}`,
              payload: {
                type: "call.requested",
                data: { id: `lead-${n}`, name: "Bench", phone: `+1415555${String(n % 10_000).padStart(4, "0")}` },
              },
            });
            return { ...request, headers: { ...signed.headers }, body: signed.body };
          },
        },
      ],
    }),
  );
  const spent = cpuMs[0] as number;
  const accepted = result["2xx"];
  return {
    requestsPerSecond: result.requests.average,
    accepted,
    cpuMs: spent,
    cpuMsPerWebhook: accepted > 0 ? spent / accepted : Number.NaN,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
