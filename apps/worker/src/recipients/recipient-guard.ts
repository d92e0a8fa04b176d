import { type EffectivePolicy, placeOf, policyFor, type RecipientPolicy, windowVerdict } from "@callbridge/recipient-policy";
import type { CallRequest, SuppressionEntry } from "@callbridge/schemas";
import { TickBatcher } from "../claims/tick-batcher.js";
import { type GuardVerdict, guardVerdict, type WindowAnswer } from "./guard-verdict.js";
import type { RecipientAnswer, RecipientCheck, RecipientStore } from "./recipient-store.js";

export interface RecipientGuardOptions {
  /**
   * false with RECIPIENT_GUARD=off: no calling windows, caps or cooldowns. The do-not-call
   * list and a route's consent still hold — they are facts about a person, not policy.
   */
  readonly policyOn: boolean;
  readonly policy: RecipientPolicy;
  readonly store: RecipientStore;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * The stage before the limiter that answers, for each request: place now, defer until T, or
 * suppress (docs/recipient-protection.md). The policy part (time zones from the number, the
 * window in local time) is computed here; the list and the counted calls are one batched
 * round trip to the store per turn of the event loop.
 */
export class RecipientGuard {
  private readonly checks: TickBatcher<RecipientCheck, RecipientAnswer>;
  private readonly uncounts: TickBatcher<{ number: string; key: string }, void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly lists: TickBatcher<string, SuppressionEntry | undefined>;
  /** When each request in flight was last checked, ms. */
  private readonly checkedAt = new WeakMap<CallRequest, number>();
  /** What applies to each request in flight, by the request object (gone with it). */
  private readonly effective = new WeakMap<CallRequest, EffectivePolicy & { readonly zones: readonly string[] }>();

  constructor(private readonly options: RecipientGuardOptions) {
    const { store } = options;
    this.checks = new TickBatcher((items) => store.check(items));
    this.uncounts = new TickBatcher<{ number: string; key: string }, void>(async (items) => {
      await store.uncount(items);
      return items.map(() => undefined);
    });
    this.lists = new TickBatcher((numbers) => store.listed(numbers));
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * The verdict for `request`. `mayHaveLanded`: an earlier attempt may have reached the API;
   * then only the list and consent are asked — holding the request back for hours would outlive
   * the API's duplicate guard (409 only while that call is queued or active) and risk a second
   * call. Rejects when the store cannot be reached (the caller retries: never call unchecked).
   */
  async check(request: CallRequest, mayHaveLanded: boolean): Promise<GuardVerdict> {
    this.checkedAt.set(request, this.now());
    const policy = this.options.policyOn && !mayHaveLanded ? this.effectiveFor(request) : undefined;
    const window = policy ? this.windowOf(request, policy) : OPEN;
    const store = await this.checks.call({
      number: request.to,
      key: request.idempotency_key,
      count: policy !== undefined && window.kind === "open",
      ...(policy?.cap ? { cap: { maxCalls: policy.cap.maxCalls, periodMs: policy.cap.periodMs } } : {}),
      cooldownMs: policy?.cooldownMs ?? 0,
    });
    return guardVerdict({
      consent: request.consent,
      window,
      store,
      jitterMs: policy?.jitterMs ?? 0,
      overCap: policy?.cap?.overCap ?? "defer",
      random: this.random(),
    });
  }

  /**
   * Whether what `check` let through still holds right before the call, after a wait (the
   * limiter's queue): the window still open, and — when the request waited at least
   * RECHECK_LIST_AFTER_MS since its check — the number still off the do-not-call list (an
   * opt-out may have come meanwhile). false sends it back to `check`, which defers or
   * suppresses it. Rejects when the store cannot be reached.
   */
  async stillClear(request: CallRequest, mayHaveLanded: boolean): Promise<boolean> {
    if (this.options.policyOn && !mayHaveLanded && this.windowOf(request, this.effectiveFor(request)).kind === "closed") return false;
    const checkedAt = this.checkedAt.get(request);
    if (checkedAt !== undefined && this.now() - checkedAt < RECHECK_LIST_AFTER_MS) return true;
    return (await this.lists.call(request.to)) === undefined;
  }

  /** Forgets that the request was counted: it ended without a call (best effort; the count expires by itself). */
  async uncount(request: CallRequest): Promise<void> {
    await this.uncounts.call({ number: request.to, key: request.idempotency_key });
  }

  private effectiveFor(request: CallRequest): EffectivePolicy & { readonly zones: readonly string[] } {
    // Asked again right before the call (closedNow): parsing the number is most of the cost.
    const known = this.effective.get(request);
    if (known) return known;
    const found = this.resolve(request);
    this.effective.set(request, found);
    return found;
  }

  private resolve(request: CallRequest): EffectivePolicy & { readonly zones: readonly string[] } {
    const place = placeOf(request.to);
    const scope = {
      ...(place.country ? { country: place.country } : {}),
      ...(place.region ? { region: place.region } : {}),
      campaignId: request.campaign_id,
      ...(request.source?.route ? { route: request.source.route } : {}),
    };
    return { ...policyFor(this.options.policy, scope), zones: place.zones };
  }

  private windowOf(request: CallRequest, policy: EffectivePolicy & { readonly zones: readonly string[] }): WindowAnswer {
    if (request.is_testing && policy.testingBypassesWindow) return OPEN;
    if (policy.zones.length === 0) return policy.unknownTimeZone === "place" ? OPEN : { kind: "unknown_zone" };
    return windowVerdict(policy.window, policy.zones, this.now());
  }
}

const OPEN: WindowAnswer = { kind: "open" };

/**
 * A request that reaches its call this long after its check asks the do-not-call list again,
 * ms. Sooner, the first answer stands: a second round trip per call would cost more than the
 * moment it covers.
 */
const RECHECK_LIST_AFTER_MS = 1_000;
