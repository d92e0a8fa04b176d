import type { CallRequest } from "@callbridge/schemas";
import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";
import type { WorkerMetrics } from "../metrics.js";
import type { AttemptOutcome } from "./decide.js";

/** What one request to the API needs. */
interface SendDeps {
  readonly client: Pick<TalkoverClient, "createCampaignCall">;
  readonly metrics: WorkerMetrics;
}

/** One request to the API, with its metrics; never throws. */
export async function send(
  request: CallRequest,
  allowDuplicates: boolean,
  deps: SendDeps,
  signal: AbortSignal,
  now: () => Date,
): Promise<AttemptOutcome> {
  const started = performance.now();
  const sentAt = now().toISOString();
  deps.metrics.inFlightCalls.inc();
  try {
    const response = await deps.client.createCampaignCall(
      request.campaign_id,
      {
        to: request.to,
        payload: request.payload,
        context: request.context,
        is_testing: request.is_testing,
        allow_duplicates: allowDuplicates,
      },
      { signal },
    );
    deps.metrics.apiResponse("201").inc();
    deps.metrics.apiDurationOf("2xx").observe((performance.now() - started) / 1000);
    return { kind: "created", call: response.campaign_call, at: now().toISOString() };
  } catch (error) {
    const seconds = (performance.now() - started) / 1000;
    if (!isTalkoverError(error)) {
      deps.metrics.apiResponse("error").inc();
      return { kind: "crashed", message: String(error), sentAt, at: now().toISOString() };
    }
    const label = error.status === undefined ? error.kind : String(error.status);
    deps.metrics.apiResponse(label).inc();
    deps.metrics.apiDurationOf(error.status === undefined ? label : `${Math.floor(error.status / 100)}xx`).observe(seconds);
    return { kind: "failed", error, sentAt, at: now().toISOString() };
  } finally {
    deps.metrics.inFlightCalls.dec();
  }
}

export function describe(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case "created":
      return "201";
    case "failed":
      return outcome.error.status === undefined ? outcome.error.kind : `${outcome.error.status} ${outcome.error.code}`;
    case "crashed":
      return "internal error";
    case "circuit_open":
      return "not sent: circuit open";
  }
}
