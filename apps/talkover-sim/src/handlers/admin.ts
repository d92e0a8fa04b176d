import { z } from "zod";
import { Faults } from "../faults.js";
import type { ApiRequest } from "../http/api-request.js";
import { errorReply, type Reply, validationReply } from "../http/reply.js";
import type { SimulatorState } from "../state/simulator-state.js";
import { jsonBodyOf } from "./json-body.js";

/** `GET /_sim/calls[?campaign_id=..][&to=..]`: accepted calls, oldest first. */
export function listCalls(state: SimulatorState, req: ApiRequest): Reply {
  const filter = { campaignId: req.query.get("campaign_id") ?? undefined, to: req.query.get("to") ?? undefined };
  return { status: 200, body: { calls: state.calls.list(filter) } };
}

/** `GET /_sim/timeline`: acceptance times in ms of every accepted call, for rate benchmarks. */
export function timeline(state: SimulatorState): Reply {
  return { status: 200, body: { accepted_ms: state.calls.acceptedTimes() } };
}

/** `GET /_sim/stats`: answers of the call endpoint, and of campaign reads, by status code. */
export function stats(state: SimulatorState): Reply {
  const byStatus = (counts: ReadonlyMap<number, number>) =>
    Object.fromEntries([...counts].sort(([a], [b]) => a - b).map(([code, n]) => [String(code), n]));
  return {
    status: 200,
    body: {
      responses: byStatus(state.responses),
      campaign_reads: byStatus(state.campaignReads),
      dropped: state.dropped,
      calls: state.calls.size,
    },
  };
}

export function reset(state: SimulatorState): Reply {
  state.reset();
  return { status: 200, body: { reset: true, faults: state.faults } };
}

export function getFaults(state: SimulatorState): Reply {
  return { status: 200, body: { faults: state.faults } };
}

/** `PUT /_sim/faults`: replaces the whole fault set (fields left out go back to no fault). */
export function putFaults(state: SimulatorState, req: ApiRequest): Reply {
  const json = jsonBodyOf(req);
  if (!json.ok) return json.reply;
  const faults = Faults.safeParse(json.value);
  if (!faults.success) return validationReply(fieldErrorsOf(faults.error));
  state.setFaults(faults.data);
  return { status: 200, body: { faults: state.faults } };
}

const Tokens = z.object({ tokens: z.array(z.string().startsWith("talq_", "tokens must start with talq_")) }).strict();

/** `PUT /_sim/tokens` `{"tokens": [...]}`: which bearer tokens the API accepts from now on. */
export function putTokens(state: SimulatorState, req: ApiRequest): Reply {
  const json = jsonBodyOf(req);
  if (!json.ok) return json.reply;
  const parsed = Tokens.safeParse(json.value);
  if (!parsed.success) return validationReply(fieldErrorsOf(parsed.error));
  state.setTokens(parsed.data.tokens);
  return { status: 200, body: { tokens: parsed.data.tokens.length } };
}

export function health(): Reply {
  return { status: 200, body: { ok: true } };
}

export function notFound(path: string): Reply {
  return errorReply(404, `No route for ${path}.`);
}

function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const field = issue.path.join(".") || "body";
    errors[field] = [...(errors[field] ?? []), issue.message];
  }
  return errors;
}
