import type { Logger } from "@callbridge/observability";
import type { RouteOutcome } from "@callbridge/routes";
import { maskPhoneNumber } from "@callbridge/schemas";
import type { Source } from "../sources/source.js";
import type { DoNotCallList } from "./do-not-call.js";
import { withTimeout } from "./with-timeout.js";

export type OptOutOutcome = Extract<RouteOutcome, { kind: "opt_out" }>;

export interface OptOutDeps {
  /** Absent when the routes file has no opt-outs (the ingest refuses to start otherwise). */
  readonly doNotCall: DoNotCallList | undefined;
  /** How long Redis has to acknowledge, ms. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** How writing one webhook's opt-outs ended. */
export type OptOutWrite =
  /** Acknowledged by Redis (or there were none): `written` once per opt-out and event. */
  | { readonly kind: "written"; readonly written: readonly OptOutOutcome[] }
  /** Redis failed or did not answer in time: the sender should retry. */
  | { readonly kind: "unavailable"; readonly error: unknown };

/**
 * Puts a webhook's opt-outs on the do-not-call list (reason `opt_out`, source `route:<name>`,
 * added now). Runs before any of the webhook's records go to Kafka, so a number that opts out
 * and is called in one webhook is listed before the worker can see the call. An event listed
 * twice in one webhook is written once. Log lines carry the number masked.
 */
export async function writeOptOuts(deps: OptOutDeps, source: Source, outcomes: readonly RouteOutcome[], now: Date): Promise<OptOutWrite> {
  const unique = new Map<string, OptOutOutcome>();
  for (const outcome of outcomes)
    if (outcome.kind === "opt_out" && !unique.has(outcome.idempotencyKey)) unique.set(outcome.idempotencyKey, outcome);
  const written = [...unique.values()];
  if (written.length === 0) return { kind: "written", written };
  if (!deps.doNotCall) throw new Error(`source ${source.id} matched an opt-out, but the ingest has no do-not-call list`);
  const addedAt = now.toISOString();
  const entries = written.map((o) => ({
    number: o.to,
    entry: { reason: "opt_out" as const, source: `route:${o.route.name}`, added_at: addedAt },
  }));
  let added: boolean[];
  try {
    added = await withTimeout(deps.doNotCall.add(entries), deps.timeoutMs);
  } catch (error) {
    return { kind: "unavailable", error };
  }
  written.forEach((o, i) => {
    const fields = { source: source.id, opt_out: o.route.name, to: maskPhoneNumber(o.to) };
    deps.logger.info(fields, added[i] ? "number put on the do-not-call list" : "number already on the do-not-call list");
  });
  return { kind: "written", written };
}
