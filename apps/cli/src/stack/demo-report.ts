import { placeOf } from "@callbridge/recipient-policy";
import { type CallResult, maskPhoneNumber, maskPhoneNumbersIn } from "@callbridge/schemas";
import { cellText, table } from "../output/table.js";
import type { RequestOutcome } from "./demo-outcomes.js";

/** A call at the Talkover simulator, as `/_sim/calls` lists it (what the campaign's agent receives). */
export interface SimCall {
  readonly id: string;
  readonly payload: Record<string, unknown>;
}

const OUTCOME_HEADERS = ["ROUTE", "TO", "OUTCOME", "REASON", "UNTIL (RECIPIENT'S TIME)", "UNTIL (UTC)", "DETAIL"];

/** Columns left out when no row has anything in them (REASON and the UNTIL pair, when every call was placed). */
const OPTIONAL_COLUMNS: ReadonlySet<number> = new Set([3, 4, 5]);

/**
 * One row per request: what became of it and, when deferred, until when in the recipient's time
 * and in UTC.
 */
export function outcomeTable(outcomes: readonly RequestOutcome[], simCalls: ReadonlyMap<string, SimCall>, nowMs: number): string {
  const rows = outcomes.map(({ request, result }) => {
    const to = maskPhoneNumber(request.to);
    if (result === undefined) return [request.route, to, "(no result)", "-", "-", "-", "-"];
    const route = result.source?.route ?? request.route;
    const until = result.outcome === "deferred" ? untilWhen(result.not_before, result.to, nowMs) : { local: "-", utc: "-" };
    return [route, to, result.outcome, reasonOf(result), until.local, until.utc, cellText(detailOf(result, simCalls))];
  });
  const shown = OUTCOME_HEADERS.map((_, i) => !OPTIONAL_COLUMNS.has(i) || rows.some((row) => row[i] !== "-"));
  const pick = <T>(cells: readonly T[]) => cells.filter((_, i) => shown[i]);
  return table(pick(OUTCOME_HEADERS), rows.map(pick));
}

function reasonOf(result: CallResult): string {
  return "reason" in result ? result.reason : "-";
}

/** What else a user wants to see of a result; never a whole number (error messages are masked). */
function detailOf(result: CallResult, simCalls: ReadonlyMap<string, SimCall>): string {
  switch (result.outcome) {
    case "placed": {
      const payload = simCalls.get(result.call.id)?.payload;
      return `call ${result.call.id.slice(0, 8)}${payload ? ` payload ${JSON.stringify(payload)}` : ""}`;
    }
    case "deferred":
      return result.deferrals > 1 ? `deferral ${result.deferrals}` : "-";
    case "suppressed":
      return maskPhoneNumbersIn(result.detail ?? "-");
    case "dead_lettered":
      return maskPhoneNumbersIn(result.error_message);
    case "duplicate":
      return `existing call ${result.existing_call.id.slice(0, 8)}`;
    case "already_placed":
      return result.call_id ? `call ${result.call_id.slice(0, 8)}` : "-";
    case "parked":
      return result.campaign_status ? `campaign ${result.campaign_status}` : "-";
  }
}

/**
 * `notBefore` in the local time of each of the number's zones, with the zone ("Mon Dec 7 08:04
 * EST America/New_York"), and in UTC with how far off it is ("Mon Dec 7 13:04 UTC, in 18h 45m").
 */
export function untilWhen(notBefore: string, to: string, nowMs: number): { local: string; utc: string } {
  const at = new Date(notBefore);
  if (Number.isNaN(at.getTime())) return { local: notBefore, utc: notBefore };
  const zones = placeOf(to).zones;
  const local = zones.length === 0 ? "(time zone unknown)" : zones.map((zone) => `${dateTimeIn(at, zone)} ${zone}`).join(" / ");
  return { local, utc: `${dateTimeIn(at, "UTC")}, ${inHowLong(at.getTime() - nowMs)}` };
}

/** "Mon Dec 7 08:04 EST": the weekday and date matter, since the window may open tomorrow. */
function dateTimeIn(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("weekday")} ${part("month")} ${part("day")} ${part("hour")}:${part("minute")} ${part("timeZoneName")}`;
}

/** "in 18h 45m", "in 3m", "due now". */
export function inHowLong(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes <= 0) return "due now";
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `in ${minutes}m` : `in ${hours}h ${minutes % 60}m`;
}

/** Deferred or suppressed results whose reason matches. */
function held(outcomes: readonly RequestOutcome[], outcome: "deferred" | "suppressed", reasons?: readonly string[]): number {
  return outcomes.filter(({ result }) => result?.outcome === outcome && (reasons === undefined || reasons.includes(result.reason))).length;
}

/**
 * Plain words under the table for requests the recipient guard held: why, when they will be
 * placed, and how to see them placed now. Empty when every request was placed.
 */
export function guardExplanation(outcomes: readonly RequestOutcome[]): string[] {
  const lines: string[] = [];
  const night = held(outcomes, "deferred", ["calling_window"]);
  if (night > 0) {
    lines.push(
      `${night} of ${outcomes.length} calls were deferred (calling_window): it is outside the calling window where these numbers are.`,
      "The recipient guard holds calls to the recipient's calling window in their local time: 08:00-21:00 by",
      "default, or what the worker's RECIPIENT_POLICY_FILE says (docs/recipient-protection.md). This stack",
      "places them then, within the window's first minutes, if it is still running. To see them placed",
      "now, stop the stack (Ctrl-C) and start it with the guard's windows and caps off:",
      "  RECIPIENT_GUARD=off bash scripts/start.sh",
      "or with a policy that lets test calls through at any hour (the example routes mark every call",
      "is_testing: true):",
      "  printf 'kind: recipient-policy\\nversion: 1\\ntesting_bypasses_window: true\\n' > /tmp/test-calls.yaml",
      "  RECIPIENT_POLICY_FILE=/tmp/test-calls.yaml bash scripts/start.sh",
      "then run the demo again.",
    );
  }
  const capped = held(outcomes, "deferred", ["frequency_cap", "cooldown"]);
  if (capped > 0) {
    lines.push(
      `${capped} of ${outcomes.length} calls were deferred for a frequency cap or cooldown: their numbers had as many calls`,
      "as the policy allows (by default 3 per 24 h; the demo's numbers come round again every few",
      "minutes). They are placed when the period frees up; RECIPIENT_GUARD=off lifts caps too.",
    );
  }
  const waiting = held(outcomes, "deferred", ["retry_backoff", "rate_limited"]);
  if (waiting > 0)
    lines.push(`${waiting} of ${outcomes.length} calls wait for the API (backoff or 429) and are placed after the time shown.`);
  const suppressed = held(outcomes, "suppressed");
  if (suppressed > 0) {
    lines.push(
      `${suppressed} of ${outcomes.length} requests were suppressed: the recipient guard will never call them (the reason is in`,
      "the table; a do-not-call entry goes with `callbridge suppress remove`). Nothing was sent to Talkover for them.",
    );
  }
  return lines;
}
