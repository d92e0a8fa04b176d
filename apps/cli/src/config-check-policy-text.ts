import type { CallingWindow, EffectivePolicy, RecipientPolicy } from "@callbridge/recipient-policy";
import type { WindowReport } from "./config-check-policy-window.js";

const DAY_ORDER = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** ["mon","tue","wed","sat"] → "mon-wed, sat": runs of three or more days as ranges. */
export function daysText(days: readonly string[]): string {
  const indexes = [...new Set(days.map((day) => DAY_ORDER.indexOf(day)))].sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const index of indexes) {
    const run = runs.at(-1);
    if (run !== undefined && run.at(-1) === index - 1) run.push(index);
    else runs.push([index]);
  }
  return runs
    .flatMap((run) => (run.length >= 3 ? [`${DAY_ORDER[run[0] ?? 0]}-${DAY_ORDER[run.at(-1) ?? 0]}`] : run.map((i) => DAY_ORDER[i] ?? "")))
    .join(", ");
}

function hoursText(hours: CallingWindow["hours"]): string {
  return hours.map((row) => `${daysText(row.days)} ${row.from}-${row.to}`).join("; ");
}

function holidaysText(holidays: readonly string[]): string {
  return holidays.length === 0 ? "no holidays" : `holidays ${holidays.join(", ")}`;
}

function capText(maxCalls: number, perHours: number, overCap: string): string {
  return maxCalls === 0 ? "no cap" : `${maxCalls} call${maxCalls === 1 ? "" : "s"} per ${perHours} h, then ${overCap}`;
}

function minutesText(minutes: number): string {
  return minutes === 0 ? "off" : `${minutes} min`;
}

/** The policy's defaults, one line each, as `config check` prints them. */
export function policyDefaultsText(policy: RecipientPolicy): string[] {
  const window = policy.calling_window;
  const cap = policy.frequency_cap;
  return [
    `calling window: ${hoursText(window.hours)} local; ${holidaysText(window.holidays)}; jitter ${window.jitter_minutes} min`,
    `frequency cap: ${capText(cap.max_calls, cap.per_hours, cap.over_cap)}`,
    `cooldown: ${minutesText(policy.cooldown_minutes)}`,
    `is_testing requests: ${policy.testing_bypasses_window ? "ignore the window" : "keep to the window"}`,
    `unknown time zone: ${policy.unknown_time_zone}`,
  ];
}

type Override = RecipientPolicy["overrides"][number];

export function matchText(match: Override["match"]): string {
  return Object.entries(match)
    .filter((entry): entry is [string, string[]] => entry[1] !== undefined)
    .map(([key, values]) => `${key} ${values.join("|")}`)
    .join(", ");
}

/** What an override sets, in the words of the defaults above. */
export function setsText(override: Override): string {
  const parts: string[] = [];
  const window = override.calling_window;
  if (window?.hours) parts.push(`window ${hoursText(window.hours)}`);
  if (window?.holidays) parts.push(holidaysText(window.holidays));
  if (window?.jitter_minutes !== undefined) parts.push(`jitter ${window.jitter_minutes} min`);
  const cap = override.frequency_cap;
  if (cap?.max_calls !== undefined || cap?.per_hours !== undefined) {
    parts.push(cap.max_calls === 0 ? "no cap" : `cap ${cap.max_calls ?? "(same)"} calls per ${cap.per_hours ?? "(same)"} h`);
  }
  if (cap?.over_cap) parts.push(`over cap: ${cap.over_cap}`);
  if (override.cooldown_minutes !== undefined) parts.push(`cooldown ${minutesText(override.cooldown_minutes)}`);
  if (override.testing_bypasses_window !== undefined)
    parts.push(`is_testing ${override.testing_bypasses_window ? "ignores" : "keeps to"} the window`);
  if (override.unknown_time_zone) parts.push(`unknown time zone: ${override.unknown_time_zone}`);
  return parts.join("; ");
}

/** The resolved policy for one request, one line each. */
export function effectiveText(effective: EffectivePolicy): string[] {
  const cap = effective.cap;
  return [
    `window: ${hoursText(effective.window.hours)} local; ${holidaysText(effective.window.holidays)}; jitter ${effective.jitterMs / 60_000} min`,
    `frequency cap: ${cap === undefined ? "no cap" : capText(cap.maxCalls, cap.periodMs / 3_600_000, cap.overCap)}`,
    `cooldown: ${minutesText(effective.cooldownMs / 60_000)}`,
    `is_testing requests: ${effective.testingBypassesWindow ? "ignore the window" : "keep to the window"}`,
  ];
}

/** "Wed 08:00:00": the weekday and wall clock in `zone` at `ms`. */
function localText(ms: number, zone: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  })
    .format(ms)
    .replace(",", "");
}

/** "2026-06-10T12:00:00.000Z (Wed 08:00:00 America/New_York)": an instant and its local wall time. */
function instantText(ms: number, zone: string | undefined): string {
  const iso = new Date(ms).toISOString();
  return zone === undefined ? iso : `${iso} (${localText(ms, zone)} ${zone})`;
}

/** `HH:MM:SS` in `zone` at `ms`. */
function wallClock(zone: string, ms: number): string {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

/** The zone whose row begins at `ms` (the one the opening waits for), else the first. */
function openingZone(zones: readonly string[], hours: CallingWindow["hours"], ms: number): string | undefined {
  const starts = new Set(hours.map((row) => (row.from.length <= 5 ? `${row.from.padStart(5, "0")}:00` : row.from.padStart(8, "0"))));
  return zones.find((zone) => starts.has(wallClock(zone, ms))) ?? zones[0];
}

type ClosedReport = Extract<WindowReport, { kind: "closed" }>;

/** "closed in America/St_Johns (Fri 03:31:00), and 33 other zones": a number of several zones, at `atMs`. */
function closedInText(report: ClosedReport, atMs: number, zones: readonly string[]): string {
  const where = `closed in ${report.closedZone} (${localText(atMs, report.closedZone)})`;
  const others = report.closedZones - 1;
  if (others > 0) return `${where}, and ${others} other zone${others === 1 ? "" : "s"}`;
  return `${where}; the other ${zones.length - 1} zone${zones.length === 2 ? " is" : "s are"} open`;
}

function closedText(report: ClosedReport, atMs: number, zones: readonly string[], hours: CallingWindow["hours"]): string {
  const closed =
    zones.length === 1
      ? `window at ${instantText(atMs, zones[0])}: closed,`
      : `window at ${new Date(atMs).toISOString()}: ${closedInText(report, atMs, zones)};`;
  if (report.lookAgain) {
    const limit = new Date(report.opensAtMs).toISOString();
    return `${closed} no opening found up to ${limit} (a year past the last holiday): deferred to be judged again then`;
  }
  return `${closed} deferred until it opens at ${instantText(report.opensAtMs, openingZone(zones, hours, report.opensAtMs))}`;
}

/**
 * The window in a sentence, with what the guard does about it. A number of one zone is shown in
 * its local time; one of several by a zone that is closed at the instant (the one that stays
 * closed longest) and by the zone its opening waits for.
 */
export function windowText(report: WindowReport, atMs: number, zones: readonly string[], hours: CallingWindow["hours"]): string {
  const others = zones.length > 1 ? ` (and ${zones.length - 1} more zone${zones.length === 2 ? "" : "s"})` : "";
  switch (report.kind) {
    case "open":
      if (report.testingBypass)
        return `window at ${new Date(atMs).toISOString()}: open: test calls bypass the window, the call would be placed`;
      return `window at ${instantText(atMs, zones[0])}${others}: open, the call would be placed`;
    case "closed":
      return closedText(report, atMs, zones, hours);
    case "never":
      return "window: the calling hours never open in all of the number's time zones at once (none within 8 days, holidays left aside); suppressed (no_calling_window)";
    case "unknown_time_zone":
      return report.policySays === "place"
        ? "window: the number's time zone is unknown; the policy says place it anyway"
        : "window: the number's time zone is unknown; suppressed (unknown_time_zone)";
  }
}
