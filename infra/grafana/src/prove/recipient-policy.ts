// The recipient policy of the worker under measurement: every panel of the "Recipient guard"
// row needs data within the run, whatever the hour.

/** Numbers of Texas (512, 713 in the load's area codes) wait for a window this long after the worker starts, ms. */
const TEXAS_WINDOW_OPENS_AFTER_MS = 25_000;

/** Seconds since local midnight in `zone` at `atMs`. */
function localSecondOfDay(zone: string, atMs: number): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  })
    .formatToParts(new Date(atMs))
    .filter((part) => part.type !== "literal")
    .map((part) => Number(part.value));
  const [hour = 0, minute = 0, second = 0] = parts;
  return hour * 3600 + minute * 60 + second;
}

const clock = (s: number) => [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":");

/**
 * A policy whose default window is open all day (calls flow at any hour of the run), and whose
 * Texas window opens TEXAS_WINDOW_OPENS_AFTER_MS from `nowMs`: Texas requests are deferred
 * (calling_window) until then and let through when it opens (window openings). The load's
 * satellite number has no time zone and is suppressed (unknown_time_zone, the default).
 */
export function proofRecipientPolicy(nowMs: number): string {
  const from = localSecondOfDay("America/Chicago", nowMs + TEXAS_WINDOW_OPENS_AFTER_MS);
  // Opening right before midnight: the window runs to the day's end (the run is over by then).
  const to = Math.min(from + 7_200, 86_400);
  const day = "days: [mon, tue, wed, thu, fri, sat, sun]";
  return [
    "kind: recipient-policy",
    "version: 1",
    "calling_window:",
    `  hours: [{ ${day}, from: "00:00", to: "24:00" }]`,
    "overrides:",
    "  - name: texas-opens-during-the-run",
    "    match: { region: US-TX }",
    "    calling_window:",
    `      hours: [{ ${day}, from: "${clock(from)}", to: "${to === 86_400 ? "24:00" : clock(to)}" }]`,
    "      jitter_minutes: 0",
    "",
  ].join("\n");
}
