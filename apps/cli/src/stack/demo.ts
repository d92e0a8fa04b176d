import { type SignedWebhook, sendWebhook } from "@callbridge/webhook-samples";
import type { CliContext } from "../context.js";
import type { Letter } from "../dlq/letter.js";
import { forEachLetter } from "../dlq/read-letters.js";
import { CliError } from "../errors.js";
import { table } from "../output/table.js";
import { allSettled, demoVerdict, matchOutcomes, type RequestOutcome } from "./demo-outcomes.js";
import { guardExplanation, outcomeTable, type SimCall } from "./demo-report.js";
import { type DemoRequest, type DemoWebhook, demoNumbers, demoWebhooks } from "./demo-webhooks.js";
import { type ResultsWatch, watchResults } from "./watch-results.js";

export interface DemoOptions {
  readonly ingestUrl: string;
  readonly simUrl: string;
  readonly waitSeconds: number;
}

/**
 * Sends one signed sample webhook per source kind to a running stack (the example routes
 * and their development secrets), plus one whose phone number is unusable. Then shows what
 * became of each call request, read from the results topic: placed (with the payload the
 * simulator got), or held by the recipient guard with the reason and until when; and the dead
 * letter with its reason. Fails when a request has no result within the wait.
 */
export async function runDemo(context: CliContext, options: DemoOptions): Promise<void> {
  const startedMs = context.nowMs();
  const webhooks = demoWebhooks(options.ingestUrl, startedMs, demoNumbers(6, startedMs));
  const requests = webhooks.flatMap((w) => w.requests);
  const watch = await watchResults(context);
  let outcomes: RequestOutcome[];
  try {
    await sendWebhooks(context, options.ingestUrl, webhooks);
    outcomes = await waitForOutcomes(context, watch, requests, startedMs, startedMs + options.waitSeconds * 1000);
  } finally {
    await watch.stop();
  }
  const placedIds = outcomes.flatMap(({ result }) => (result?.outcome === "placed" ? [result.call.id] : []));
  const sim = placedIds.length > 0 ? await simCallsById(options.simUrl) : new Map<string, SimCall>();
  context.out(`what became of the ${requests.length} call requests (results topic ${context.topics.callResults}):`);
  context.out(outcomeTable(outcomes, sim, context.nowMs()));
  const explanation = guardExplanation(outcomes);
  if (explanation.length > 0) context.out(`\n${explanation.join("\n")}`);
  await showLatestInvalidPhoneLetter(context);
  const verdict = demoVerdict(outcomes, options.waitSeconds);
  if (!verdict.ok) throw new CliError(verdict.problem);
  context.out(`\n${verdict.summary}`);
}

/** Posts the webhooks one after another and prints how the ingest answered each. */
async function sendWebhooks(context: CliContext, ingestUrl: string, webhooks: readonly DemoWebhook[]): Promise<void> {
  const rows: string[][] = [];
  for (const { label, webhook } of webhooks) {
    const res = await send(ingestUrl, webhook);
    const body = await res.text();
    if (res.status === 401)
      throw new CliError(`the ingest refused the ${label} signature: it is not using the example routes file's development secrets`);
    rows.push([label, String(res.status), summarize(body)]);
  }
  context.out(`sent to ${ingestUrl}:\n${table(["WEBHOOK", "STATUS", "ANSWER"], rows)}\n`);
}

async function send(ingestUrl: string, webhook: SignedWebhook): Promise<Response> {
  try {
    return await sendWebhook(ingestUrl, webhook);
  } catch (error) {
    throw new CliError(`cannot reach the ingest at ${ingestUrl} (is the stack running? pnpm start): ${(error as Error).message}`);
  }
}

/** Each request's result, once every one has a result that waiting cannot change, or at `deadlineMs` (or Ctrl-C). */
async function waitForOutcomes(
  context: CliContext,
  watch: ResultsWatch,
  requests: readonly DemoRequest[],
  sinceMs: number,
  deadlineMs: number,
): Promise<RequestOutcome[]> {
  for (;;) {
    watch.throwIfFailed();
    const outcomes = matchOutcomes(requests, watch.results, sinceMs);
    if (allSettled(outcomes, deadlineMs) || context.nowMs() >= deadlineMs || context.signal.aborted) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Prints the newest dead letter with reason `invalid_phone`, if there is one (the letters come partition by partition). */
async function showLatestInvalidPhoneLetter(context: CliContext): Promise<void> {
  let letter: Letter | undefined;
  await forEachLetter(context, (letters) => {
    for (const l of letters) if (l.reason === "invalid_phone" && l.failedAtMs >= (letter?.failedAtMs ?? 0)) letter = l;
    return "more";
  });
  if (letter) {
    context.out(
      `\nthe dead letter (callbridge dlq inspect ${letter.id}):\n  reason   ${letter.reason}\n  message  ${letter.message ?? "-"}\n  route    ${letter.route ?? "-"}\n  campaign ${letter.campaign ?? "-"}`,
    );
  }
}

/**
 * The simulator's calls by id, for the payloads the placed calls carried. Empty when there is no
 * simulator (TALKOVER_BASE_URL pointed the stack at the real API): the results say enough.
 */
async function simCallsById(simUrl: string): Promise<Map<string, SimCall>> {
  try {
    const { calls } = (await (await fetch(`${simUrl}/_sim/calls`)).json()) as { calls: SimCall[] };
    return new Map(calls.map((call) => [call.id, call]));
  } catch {
    return new Map();
  }
}

function summarize(body: string): string {
  if (body.includes("<Ack>true</Ack>")) return "SOAP Ack true";
  return body.length > 80 ? `${body.slice(0, 77)}...` : body;
}
