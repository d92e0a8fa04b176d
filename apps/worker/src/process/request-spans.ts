import { inSpan, tracer, tracingOn } from "@callbridge/observability";

/** A step's answer in a span attribute: its kind, or `aborted` (shutdown cut the step short). */
export const kindOf = (answer: { readonly kind: string } | symbol): string => (typeof answer === "symbol" ? "aborted" : answer.kind);

/**
 * Runs one step of a request (the ledger's answer, the recipient guard's verdict) in a span of
 * its own, the answer recorded as `attribute` in words (`describe`). With tracing off, `work` just runs.
 */
export function answerSpan<T>(name: string, attribute: string, work: () => Promise<T>, describe: (answer: T) => string): Promise<T> {
  if (!tracingOn()) return work();
  return inSpan("worker", name, async (span) => {
    const answer = await work();
    span?.setAttribute(attribute, describe(answer));
    return answer;
  });
}

/**
 * Starts the `limiter wait` span of an attempt (tracing on) and returns its end, safe to call
 * more than once: when the limiter runs the task, or when it refuses or is aborted first.
 */
export function limiterWaitSpan(): () => void {
  if (!tracingOn()) return () => undefined;
  const span = tracer("worker").startSpan("limiter wait");
  let ended = false;
  return () => {
    if (!ended) span.end();
    ended = true;
  };
}

/**
 * Runs one turn through the limiter in a `call attempt` span (`callbridge.attempt`: its number),
 * how it ended recorded as `callbridge.attempt.outcome`: the API's answer in words (`describe`),
 * or why no request was sent (the claim lost, the ledger down, the guard's verdict changed).
 */
export function attemptSpan<T extends object | symbol>(
  attempt: number,
  work: () => Promise<T>,
  describe: (outcome: Exclude<T, symbol>) => string,
): Promise<T> {
  if (!tracingOn()) return work();
  return inSpan(
    "worker",
    "call attempt",
    async (span) => {
      const outcome = await work();
      span?.setAttribute(
        "callbridge.attempt.outcome",
        typeof outcome === "symbol" ? String(outcome.description) : describe(outcome as Exclude<T, symbol>),
      );
      return outcome;
    },
    { attributes: { "callbridge.attempt": attempt } },
  );
}
