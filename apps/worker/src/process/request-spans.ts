import { type Attributes, inSpan, trace, tracingOn } from "@callbridge/observability";

// A request's trace holds few spans (each costs CPU to build and export, per call): the
// `process` span, one `call attempt` span per turn through the limiter, and the Talkover
// request's CLIENT span. The steps in between (the ledger's answers, the recipient guard's
// verdict, the limiter wait) are span events and attributes on them, with their durations.

/** A step's answer in words: its kind, or `aborted` (shutdown cut the step short). */
export const kindOf = (answer: { readonly kind: string } | symbol): string => (typeof answer === "symbol" ? "aborted" : answer.kind);

/**
 * Runs one step of a request (the ledger's answer, the recipient guard's verdict) and, with
 * tracing on, adds an event `name` to the active span: the answer in words under `attribute`,
 * and `callbridge.duration_ms`. With tracing off, `work` just runs.
 */
export async function answerEvent<T>(name: string, attribute: string, work: () => Promise<T>, describe: (answer: T) => string): Promise<T> {
  if (!tracingOn()) return work();
  const started = performance.now();
  const answer = await work();
  trace.getActiveSpan()?.addEvent(name, { [attribute]: describe(answer), "callbridge.duration_ms": elapsedMs(started) });
  return answer;
}

/**
 * Measures an attempt's wait for the limiter (tracing on): call the function it returns when
 * the slot is ours, inside the attempt's span, and it records `callbridge.limiter.wait_ms` there.
 */
export function limiterWait(): () => void {
  if (!tracingOn()) return () => undefined;
  const started = performance.now();
  return () => trace.getActiveSpan()?.setAttribute("callbridge.limiter.wait_ms", elapsedMs(started));
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
  const attributes: Attributes = { "callbridge.attempt": attempt };
  return inSpan(
    "worker",
    "call attempt",
    async (span) => {
      const outcome = await work();
      const said = typeof outcome === "symbol" ? String(outcome.description) : describe(outcome as Exclude<T, symbol>);
      span?.setAttribute("callbridge.attempt.outcome", said);
      return outcome;
    },
    { attributes },
  );
}

function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
