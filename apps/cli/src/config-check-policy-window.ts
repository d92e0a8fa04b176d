import type { CallingWindow, EffectivePolicy } from "@callbridge/recipient-policy";
import { windowVerdict } from "@callbridge/recipient-policy";

/** What the calling window does for one request at an instant, as `config check --number` shows it. */
export type WindowReport =
  | { readonly kind: "open"; readonly testingBypass: boolean }
  | {
      readonly kind: "closed";
      readonly opensAtMs: number;
      /** No opening was found before `opensAtMs`, the end of the search: the worker judges it again then. */
      readonly lookAgain: boolean;
      /** A zone closed at the instant: of those, the one whose own window opens last. */
      readonly closedZone: string;
      /** How many of the number's zones are closed at the instant, `closedZone` included. */
      readonly closedZones: number;
    }
  | { readonly kind: "never" }
  | { readonly kind: "unknown_time_zone"; readonly policySays: "suppress" | "place" };

/**
 * The window for a request to a number in `zones` at `atMs`, in the worker's order: a test call
 * (`testing`) that the policy lets bypass the window is open; a number with no known zone is for
 * `unknown_time_zone`; otherwise the window's verdict.
 */
export function windowReport(effective: EffectivePolicy, zones: readonly string[], atMs: number, testing: boolean): WindowReport {
  if (testing && effective.testingBypassesWindow) return { kind: "open", testingBypass: true };
  if (zones.length === 0) return { kind: "unknown_time_zone", policySays: effective.unknownTimeZone };
  const verdict = windowVerdict(effective.window, zones, atMs);
  switch (verdict.kind) {
    case "open":
      return { kind: "open", testingBypass: false };
    case "never":
      return { kind: "never" };
    case "closed":
      return {
        kind: "closed",
        opensAtMs: verdict.opensAtMs,
        lookAgain: verdict.lookAgain === true,
        ...closedZonesAt(effective.window, zones, atMs),
      };
  }
}

/**
 * The zone that keeps a number closed at `atMs`: of its zones closed then, the one whose own
 * window opens last (the first of them in the list on a tie); and how many are closed.
 */
export function closedZonesAt(
  window: CallingWindow,
  zones: readonly string[],
  atMs: number,
): { readonly closedZone: string; readonly closedZones: number } {
  let closedZone: string | undefined;
  let latestMs = Number.NEGATIVE_INFINITY;
  let closedZones = 0;
  for (const zone of zones) {
    const own = windowVerdict(window, [zone], atMs);
    if (own.kind === "open") continue;
    closedZones += 1;
    const opensAtMs = own.kind === "closed" ? own.opensAtMs : Number.POSITIVE_INFINITY;
    if (opensAtMs > latestMs) {
      latestMs = opensAtMs;
      closedZone = zone;
    }
  }
  return { closedZone: closedZone ?? zones[0] ?? "", closedZones };
}

/** The report in `--json`, snake_case like the rest of the output. */
export function windowJson(report: WindowReport): Record<string, unknown> {
  switch (report.kind) {
    case "open":
      return report.testingBypass ? { kind: "open", because: "testing_bypasses_window" } : { kind: "open" };
    case "closed":
      return {
        kind: "closed",
        opens_at: new Date(report.opensAtMs).toISOString(),
        ...(report.lookAgain ? { look_again: true } : {}),
        closed_in: report.closedZone,
        zones_closed: report.closedZones,
      };
    case "never":
      return { kind: "never" };
    case "unknown_time_zone":
      return { kind: "unknown_time_zone", policy_says: report.policySays };
  }
}

/** The resolved policy in `--json`: the package's fields, in snake_case. */
export function effectiveJson(effective: EffectivePolicy): Record<string, unknown> {
  const { cap } = effective;
  return {
    window: effective.window,
    jitter_ms: effective.jitterMs,
    testing_bypasses_window: effective.testingBypassesWindow,
    unknown_time_zone: effective.unknownTimeZone,
    cap: cap === undefined ? null : { max_calls: cap.maxCalls, period_ms: cap.periodMs, over_cap: cap.overCap },
    cooldown_ms: effective.cooldownMs,
    overrides: effective.overrides,
  };
}
