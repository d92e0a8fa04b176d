import type { CallingWindow } from "../policy/schema.js";
import { type Intervals, insideIntervals, type LocalWindow, localTime, localWindow } from "./local-window.js";

/**
 * Whether a number may be called at an instant: `open` now; `closed` until `opensAtMs` (ms since
 * the epoch, the earliest instant at which every zone is inside); `never` within 8 days (e.g.
 * zones so far apart that their windows share no hour).
 */
export type WindowVerdict = { kind: "open" } | { kind: "closed"; opensAtMs: number } | { kind: "never" };

const OPEN: WindowVerdict = Object.freeze({ kind: "open" });
const NEVER: WindowVerdict = Object.freeze({ kind: "never" });
const DAY_MS = 24 * 60 * 60 * 1000;
/** How far ahead an opening is looked for: a week and a day, so weekly hours always show. */
const HORIZON_MS = 8 * DAY_MS;
/** Each zone's intervals are worked out for this long ahead, and reused until the horizon passes their end. */
const COVER_MS = 10 * DAY_MS;
/** Distinct windows whose intervals are kept; past this the cache starts again. */
const MAX_WINDOWS = 200;

interface ZoneCover extends Intervals {
  readonly fromMs: number;
  readonly toMs: number;
}
interface CachedWindow {
  readonly local: LocalWindow;
  readonly zones: Map<string, ZoneCover>;
}

/** By content, so equal windows built apart (one per `policyFor` call) share their work. */
const cache = new Map<string, CachedWindow>();

function cached(window: CallingWindow): CachedWindow {
  const key = JSON.stringify([window.hours, window.holidays]);
  let entry = cache.get(key);
  if (entry === undefined) {
    if (cache.size >= MAX_WINDOWS) cache.clear();
    entry = { local: localWindow(window), zones: new Map() };
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

/**
 * The window's verdict for a number in `zones` (IANA names, e.g. from `placeOf`) at `nowMs`.
 * A number with several zones is inside only when it is inside in every one of them, each by
 * its own wall clock: the local weekday is one of a row's days, the local date is not a holiday,
 * and the local time is at or after `from` and before `to`. Across a daylight-saving change the
 * wall clock decides: a window from 02:30 on the night clocks skip from 02:00 to 03:00 opens at
 * 03:00; one from 01:30 on the night 01:00-02:00 happens twice opens twice.
 *
 * Each zone's open intervals for the next 10 days are worked out once (luxon, about a
 * millisecond) and reused, so a verdict is a few binary searches. Throws a RangeError for no
 * zones (the policy's `unknown_time_zone` decides those) and for a zone the runtime does not know.
 */
export function windowVerdict(window: CallingWindow, zones: readonly string[], nowMs: number): WindowVerdict {
  if (zones.length === 0) throw new RangeError("no time zones: a number with none is for the policy's unknown_time_zone to decide");
  const entry = cached(window);
  const perZone = zones.map((zone) => intervalsOf(entry, zone, nowMs));
  const limitMs = nowMs + HORIZON_MS;
  // Move `at` to the next start of a zone that is outside at `at`, until every zone is inside:
  // an overlap of the zones' intervals always begins where one of them begins.
  let at = nowMs;
  for (let zone = 0; zone < perZone.length; ) {
    const next = firstInsideAtOrAfter(perZone[zone] as Intervals, at);
    if (next === undefined || next > limitMs) return NEVER;
    if (next > at) {
      at = next;
      zone = 0;
    } else zone += 1;
  }
  return at === nowMs ? OPEN : { kind: "closed", opensAtMs: at };
}

/** `at` if it is inside an interval, else the start of the next one (undefined: none). */
function firstInsideAtOrAfter({ starts, ends }: Intervals, at: number): number | undefined {
  // The first interval that ends after `at`.
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ends[middle] as number) <= at) low = middle + 1;
    else high = middle;
  }
  const start = starts[low];
  return start === undefined ? undefined : Math.max(start, at);
}
