import { type CallingWindow, type PolicyOverride, RecipientPolicy } from "./schema.js";

/**
 * What applies to one request once the policy's overrides are resolved (units in the names):
 * - `window`: the calling hours and holidays in the recipient's local time;
 * - `jitterMs`: deferred requests are spread over this long after the window opens;
 * - `testingBypassesWindow`: `is_testing` requests ignore the window;
 * - `unknownTimeZone`: for a number with no known zone, suppress it or place it anyway;
 * - `cap`: at most `maxCalls` calls per rolling `periodMs`, across campaigns; then defer or
 *   suppress. Undefined when the policy sets `max_calls: 0` (no cap);
 * - `cooldownMs`: no call to the number this long after one (0: off);
 * - `overrides`: names of the overrides applied, in file order.
 */
export interface EffectivePolicy {
  readonly window: CallingWindow;
  readonly jitterMs: number;
  readonly testingBypassesWindow: boolean;
  readonly unknownTimeZone: "suppress" | "place";
  readonly cap: { readonly maxCalls: number; readonly periodMs: number; readonly overCap: "defer" | "suppress" } | undefined;
  readonly cooldownMs: number;
  readonly overrides: readonly string[];
}

/** Who a request is for: where the number is (from `placeOf`) and where the request comes from. */
export interface PolicyScope {
  readonly country?: string;
  readonly region?: string;
  readonly campaignId: string;
  readonly route?: string;
}

/** The policy with no file: every day 08:00-21:00 local, jitter 10 min, 3 calls per 24 h then defer, no cooldown. */
export const DEFAULT_RECIPIENT_POLICY: RecipientPolicy = RecipientPolicy.parse({ kind: "recipient-policy", version: 1 });

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/**
 * Resolves the policy for one request: the file's top-level fields, then every override whose
 * `match` fits the scope, in file order, each replacing the fields it sets (inside
 * `calling_window` and `frequency_cap` field by field; lists are replaced whole). A match key
 * the scope lacks (e.g. `region` for a number with none) does not match.
 */
export function policyFor(policy: RecipientPolicy, scope: PolicyScope): EffectivePolicy {
  let window = policy.calling_window;
  let cap = policy.frequency_cap;
  let { testing_bypasses_window: testing, unknown_time_zone: unknownTimeZone, cooldown_minutes: cooldown } = policy;
  const applied: string[] = [];
  for (const override of policy.overrides) {
    if (!matches(override.match, scope)) continue;
    applied.push(override.name);
    window = { ...window, ...definedFields(override.calling_window) };
    cap = { ...cap, ...definedFields(override.frequency_cap) };
    testing = override.testing_bypasses_window ?? testing;
    unknownTimeZone = override.unknown_time_zone ?? unknownTimeZone;
    cooldown = override.cooldown_minutes ?? cooldown;
  }
  return {
    window: { hours: window.hours, holidays: window.holidays },
    jitterMs: window.jitter_minutes * MINUTE_MS,
    testingBypassesWindow: testing,
    unknownTimeZone,
    cap:
      cap.max_calls === 0 ? undefined : { maxCalls: cap.max_calls, periodMs: Math.round(cap.per_hours * HOUR_MS), overCap: cap.over_cap },
    cooldownMs: cooldown * MINUTE_MS,
    overrides: applied,
  };
}

function matches(match: PolicyOverride["match"], scope: PolicyScope): boolean {
  return (
    oneOf(match.country, scope.country) &&
    oneOf(match.region, scope.region) &&
    oneOf(match.campaign, scope.campaignId) &&
    oneOf(match.route, scope.route)
  );
}

function oneOf(wanted: readonly string[] | undefined, actual: string | undefined): boolean {
  return wanted === undefined || (actual !== undefined && wanted.includes(actual));
}

/** The fields of a partial object that are set, so spreading it keeps the others. */
function definedFields<T extends object>(partial: T | undefined): Partial<T> {
  if (partial === undefined) return {};
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}
