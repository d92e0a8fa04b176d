import type { SuppressionReason } from "@callbridge/schemas";
import type { RecipientAnswer } from "./recipient-store.js";

/** Whether the recipient's calling window lets the request go now (see RecipientGuard.windowOf). */
export type WindowAnswer =
  | { readonly kind: "open" }
  | { readonly kind: "closed"; readonly opensAtMs: number }
  /** The recipient's zones share no calling hour within a week. */
  | { readonly kind: "never" }
  /** No known time zone, and the policy says not to guess. */
  | { readonly kind: "unknown_zone" };

/** The deferral reasons the guard gives. */
type GuardDeferral = "calling_window" | "frequency_cap" | "cooldown";

/** What the recipient guard decided for one request. */
export type GuardVerdict =
  | { readonly kind: "place" }
  | { readonly kind: "defer"; readonly reason: GuardDeferral; readonly notBeforeMs: number }
  | { readonly kind: "suppress"; readonly reason: SuppressionReason; readonly detail: string };

/** What the guard found about one request, I/O done. */
export interface GuardFacts {
  /** The request's `consent` (absent: its route does not ask). */
  readonly consent: boolean | undefined;
  readonly window: WindowAnswer;
  readonly store: RecipientAnswer;
  /** Spread of openings: a deferred request comes back up to this long after its window opens, ms. */
  readonly jitterMs: number;
  /** Over the cap: wait for the rolling period to free a call, or end suppressed. */
  readonly overCap: "defer" | "suppress";
  /** In [0, 1): where in the jitter this request lands. */
  readonly random: number;
}

/**
 * The guard's rule, in order: a person who did not consent, is on the do-not-call list, or
 * cannot be placed in any calling hour is not called (suppressed, final); outside the window
 * waits for the next opening, spread over the first `jitterMs` so a night's backlog does not
 * arrive at once; over the cap or within the cooldown waits until a call frees up (or, over the
 * cap, is suppressed when the policy says so). docs/recipient-protection.md says why each.
 */
export function guardVerdict(facts: GuardFacts): GuardVerdict {
  const { window, store } = facts;
  if (facts.consent === false) {
    return { kind: "suppress", reason: "no_consent", detail: "the route requires consent and the request's consent field was not yes" };
  }
  if (store.kind === "listed") {
    return {
      kind: "suppress",
      reason: store.entry.reason,
      detail: `on the do-not-call list since ${store.entry.added_at} (${store.entry.source})`,
    };
  }
  if (window.kind === "never") {
    return {
      kind: "suppress",
      reason: "no_calling_window",
      detail: "the policy's calling hours never open in all of the number's time zones at once",
    };
  }
  if (window.kind === "unknown_zone") {
    return {
      kind: "suppress",
      reason: "unknown_time_zone",
      detail: "no time zone is known for the number, and the policy says not to guess",
    };
  }
  if (window.kind === "closed") {
    return { kind: "defer", reason: "calling_window", notBeforeMs: window.opensAtMs + Math.floor(facts.random * facts.jitterMs) };
  }
  if (store.kind === "capped") {
    if (facts.overCap === "suppress") {
      return { kind: "suppress", reason: "frequency_cap", detail: "the recipient had as many calls in the policy's period as it allows" };
    }
    return { kind: "defer", reason: "frequency_cap", notBeforeMs: store.untilMs };
  }
  if (store.kind === "cooling") return { kind: "defer", reason: "cooldown", notBeforeMs: store.untilMs };
  return { kind: "place" };
}
