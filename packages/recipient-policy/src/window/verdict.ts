import type { CallingWindow } from "../policy/schema.js";
import { type Intervals, insideIntervals, type LocalWindow, localTime, localWindow } from "./local-window.js";
import { firstCommonInstant, firstCommonInstantInSlices } from "./opening-search.js";

/**
 * Whether a number may be called at an instant:
 * - `open` now;
 * - `closed` until `opensAtMs` (ms since the epoch), the earliest instant at which every zone is
 *   inside, past any number of holidays. Past the 8-day horizon the search goes on to a year
 *   after the last holiday; should even that find no opening, the verdict is `closed` with
 *   `lookAgain: true` and `opensAtMs` at that limit (chosen over `never`: holidays are a finite
 *   list, so the request should wait and be judged again then, not be suppressed for good);
 * - `never`: the hours themselves never open in all the zones at once, judged with the holidays
 *   left out over the coming 8 days (every weekday at least once) and the zones' offsets as they
 *   stand: e.g. zones so far apart that their hours share no instant, or days that do not meet
 *   in every zone's calendar.
 */
export type WindowVerdict = { kind: "open" } | { kind: "closed"; opensAtMs: number; lookAgain?: true } | { kind: "never" };
type Closed = Extract<WindowVerdict, { kind: "closed" }>;

const OPEN: WindowVerdict = Object.freeze({ kind: "open" });
const NEVER: WindowVerdict = Object.freeze({ kind: "never" });
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far ahead an opening is looked for in the kept intervals: a week and a day, so weekly hours always show. */
const HORIZON_MS = 8 * DAY_MS;
/** Each zone's intervals are worked out for this long ahead, and reused until the horizon passes their end. */
const COVER_MS = 10 * DAY_MS;
/** Distinct windows whose intervals are kept; past this the cache starts again. */
const MAX_WINDOWS = 200;
/** Past the horizon (holidays only), openings are looked for this far past the last holiday ... */
const SEARCH_PAST_HOLIDAYS_MS = 366 * DAY_MS;
/** ... this much at a time. */
const SLICE_MS = 14 * DAY_MS;
/** Answers found past the horizon that are kept per window, by zone list. */
const MAX_LATER_ANSWERS = 1000;

interface ZoneCover extends Intervals {
  readonly fromMs: number;
  readonly toMs: number;
}
/** An answer past the horizon: no zone list's opening lies from `fromMs` until `verdict.opensAtMs`. */
interface LaterAnswer {
  readonly fromMs: number;
  readonly verdict: Closed;
}
interface CachedWindow {
  readonly local: LocalWindow;
  readonly zones: Map<string, ZoneCover>;
  readonly later: Map<string, LaterAnswer>;
}

/** By content, so equal windows built apart (one per `policyFor` call) share their work. */
const cache = new Map<string, CachedWindow>();

function cached(window: CallingWindow): CachedWindow {
  const key = JSON.stringify([window.hours, window.holidays]);
  let entry = cache.get(key);
  if (entry === undefined) {
    if (cache.size >= MAX_WINDOWS) cache.clear();
    entry = { local: localWindow(window), zones: new Map(), later: new Map() };
    cache.set(key, entry);
  }
  return entry;
}

function intervalsOf(window: CachedWindow, zone: string, nowMs: number): Intervals {
  const known = window.zones.get(zone);
  if (known !== undefined && known.fromMs <= nowMs && nowMs + HORIZON_MS < known.toMs) return known;
  localTime(zone, nowMs); // throws for a zone the runtime does not know
  const cover = { fromMs: nowMs, toMs: nowMs + COVER_MS, ...insideIntervals(window.local, zone, nowMs, nowMs + COVER_MS) };
  window.zones.set(zone, cover);
  return cover;
}

/** The first instant within the horizon at which every zone is inside, from the kept intervals. */
function openingWithinHorizon(window: CachedWindow, zones: readonly string[], nowMs: number): number | undefined {
  const perZone = zones.map((zone) => intervalsOf(window, zone, nowMs));
  return firstCommonInstant(perZone, nowMs, nowMs + HORIZON_MS);
}

/**
 * The window's verdict for a number in `zones` (IANA names, e.g. from `placeOf`) at `nowMs`.
 * A number with several zones is inside only when it is inside in every one of them, each by
 * its own wall clock: the local weekday is one of a row's days, the local date is not a holiday,
 * and the local time is at or after `from` and before `to`. Across a daylight-saving change the
 * wall clock decides: a window from 02:30 on the night clocks skip from 02:00 to 03:00 opens at
 * 03:00; one from 01:30 on the night 01:00-02:00 happens twice opens twice.
 *
 * Each zone's open intervals for the next 10 days are worked out once (luxon, about a
 * millisecond) and reused, so a verdict is a few binary searches. Only when holidays close the
 * window for longer than that is the search carried on past them, slice by slice, worked out
 * afresh (the answer is kept per zone list until its opening). Throws a RangeError for no
 * zones (the policy's `unknown_time_zone` decides those) and for a zone the runtime does not know.
 */
export function windowVerdict(window: CallingWindow, zones: readonly string[], nowMs: number): WindowVerdict {
  if (zones.length === 0) throw new RangeError("no time zones: a number with none is for the policy's unknown_time_zone to decide");
  const entry = cached(window);
  const opening = openingWithinHorizon(entry, zones, nowMs);
  if (opening !== undefined) return opening === nowMs ? OPEN : { kind: "closed", opensAtMs: opening };
  // Weekly hours that show no instant in 8 days do not open (as the zones' offsets stand); with
  // holidays, it may be the holidays that hide the opening.
  if (window.holidays.length === 0) return NEVER;
  if (openingWithinHorizon(cached({ hours: window.hours, holidays: [] }), zones, nowMs) === undefined) return NEVER;
  return openingPastHolidays(entry, window.holidays, zones, nowMs);
}

function openingPastHolidays(entry: CachedWindow, holidays: readonly string[], zones: readonly string[], nowMs: number): Closed {
  const key = zones.join(" ");
  const known = entry.later.get(key);
  if (known !== undefined && known.fromMs <= nowMs && nowMs < known.verdict.opensAtMs) return known.verdict;
  const limitMs = searchLimit(holidays, nowMs);
  const found = firstCommonInstantInSlices(entry.local, zones, nowMs + HORIZON_MS, limitMs, SLICE_MS);
  const verdict: Closed = Object.freeze(
    found === undefined ? { kind: "closed", opensAtMs: limitMs, lookAgain: true } : { kind: "closed", opensAtMs: found },
  );
  if (entry.later.size >= MAX_LATER_ANSWERS) entry.later.clear();
  entry.later.set(key, { fromMs: nowMs, verdict });
  return verdict;
}

/** A year past the instant by which the last holiday has ended in every zone (a local date ends by 12:00 UTC the next day). */
function searchLimit(holidays: readonly string[], nowMs: number): number {
  const last = [...holidays].sort().at(-1);
  const holidaysEndMs = last === undefined ? nowMs : Date.parse(`${last}T00:00:00Z`) + 2 * DAY_MS;
  return Math.max(nowMs, holidaysEndMs) + SEARCH_PAST_HOLIDAYS_MS;
}
