import { type Intervals, insideIntervals, type LocalWindow } from "./local-window.js";

/**
 * The earliest instant from `fromMs` to `limitMs` (both inclusive) that lies in an interval of
 * every zone's `Intervals`; undefined when there is none. It moves to the next start of a zone
 * that is outside until every zone is inside: an overlap always begins where one of them begins.
 */
export function firstCommonInstant(perZone: readonly Intervals[], fromMs: number, limitMs: number): number | undefined {
  let at = fromMs;
  for (let zone = 0; zone < perZone.length; ) {
    const next = firstInsideAtOrAfter(perZone[zone] as Intervals, at);
    if (next === undefined || next > limitMs) return undefined;
    if (next > at) {
      at = next;
      zone = 0;
    } else zone += 1;
  }
  return at;
}

/**
 * The first instant from `fromMs` (inclusive) to `limitMs` (exclusive) at which every zone is
 * inside `window`; undefined when there is none. Each zone's intervals are worked out afresh for
 * one slice of `sliceMs` at a time, and not kept: this is the rare path of holidays that close
 * the window for longer than the verdict's horizon, and keeping far-off slices would push out
 * the near ones every request needs. A zone with no interval in a slice ends that slice early.
 */
export function firstCommonInstantInSlices(
  window: LocalWindow,
  zones: readonly string[],
  fromMs: number,
  limitMs: number,
  sliceMs: number,
): number | undefined {
  for (let startMs = fromMs; startMs < limitMs; startMs += sliceMs) {
    const endMs = Math.min(startMs + sliceMs, limitMs);
    const perZone: Intervals[] = [];
    for (const zone of zones) {
      const intervals = insideIntervals(window, zone, startMs, endMs);
      if (intervals.starts.length === 0) break;
      perZone.push(intervals);
    }
    // Intervals end at the slice's end at the latest, so an overlap found here starts before it;
    // one that starts exactly there is found by the next slice, which judges its first instant.
    const found = perZone.length === zones.length ? firstCommonInstant(perZone, startMs, endMs) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
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
