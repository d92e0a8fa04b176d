import { DateTime, IANAZone } from "luxon";
import { type CallingWindow, secondsOfDay, WEEKDAYS } from "../policy/schema.js";

/** A calling window in the form the checks use: seconds since local midnight, luxon weekdays. */
export interface LocalWindow {
  readonly rows: readonly {
    /** luxon weekdays, 1 = Monday … 7 = Sunday. */
    readonly days: ReadonlySet<number>;
    readonly from: number;
    readonly to: number;
  }[];
  readonly holidays: ReadonlySet<string>;
}

export function localWindow(window: CallingWindow): LocalWindow {
  return {
    rows: window.hours.map((row) => ({
      days: new Set(row.days.map((day) => WEEKDAYS.indexOf(day) + 1)),
      from: secondsOfDay(row.from),
      to: secondsOfDay(row.to),
    })),
    holidays: new Set(window.holidays),
  };
}

/** Instants in ms since the epoch; `starts[i]` (inclusive) to `ends[i]` (exclusive), sorted, apart. */
export interface Intervals {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

const SECOND_MS = 1000;

export function localTime(zone: string, ms: number): DateTime<true> {
  const local = DateTime.fromMillis(ms, { zone });
  if (!local.isValid) throw new RangeError(`unknown time zone "${zone}"`);
  return local;
}

/**
 * Whether `zone`'s wall clock at `ms` is inside the window: the local weekday is one of a row's
 * days, the local date is not a holiday, and the local time is at or after `from` and before `to`.
 */
export function insideAt(window: LocalWindow, zone: string, ms: number): boolean {
  const local = localTime(zone, ms);
  if (window.holidays.size > 0 && window.holidays.has(local.toISODate())) return false;
  const second = local.hour * 3600 + local.minute * 60 + local.second;
  return window.rows.some((row) => row.days.has(local.weekday) && second >= row.from && second < row.to);
}

/**
 * The instants from `fromMs` to `toMs` at which `zone` is inside the window. Whether a zone is
 * inside changes only where its wall clock reaches a row's `from` or `to` or a midnight, or
 * where the clock is put forward or back; so it is judged (with luxon, by the wall clock) at
 * each of those instants, and holds until the next one.
 */
export function insideIntervals(window: LocalWindow, zone: string, fromMs: number, toMs: number): Intervals {
  const points = [...changePoints(window, zone, fromMs, toMs)].filter((ms) => ms > fromMs && ms < toMs).sort((a, b) => a - b);
  const starts: number[] = [];
  const ends: number[] = [];
  let openedAt: number | undefined;
  for (const point of [fromMs, ...points]) {
    const inside = insideAt(window, zone, point);
    if (inside && openedAt === undefined) openedAt = point;
    if (!inside && openedAt !== undefined) {
      starts.push(openedAt);
      ends.push(point);
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined) {
    starts.push(openedAt);
    ends.push(toMs);
  }
  return { starts, ends };
}

function changePoints(window: LocalWindow, zone: string, fromMs: number, toMs: number): Set<number> {
  const seconds = new Set([0, ...window.rows.flatMap((row) => [row.from, row.to])].filter((second) => second < 86_400));
  const points = new Set<number>();
  for (let day = localTime(zone, fromMs).startOf("day"); day.toMillis() < toMs; day = day.plus({ days: 1 })) {
    for (const second of seconds) for (const ms of wallInstants(zone, day, second)) points.add(ms);
    const nextDay = day.plus({ days: 1 });
    if (nextDay.offset !== day.offset) points.add(clockChange(zone, day.toMillis(), nextDay.toMillis()));
  }
  return points;
}

/**
 * The instants at which `zone`'s wall clock reads `second` past midnight on `day`: one as a
 * rule; two in the hour clocks are put back; none in the hour they skip (the change itself
 * is a change point then).
 */
function wallInstants(zone: string, day: DateTime<true>, second: number): number[] {
  const wanted = {
    year: day.year,
    month: day.month,
    day: day.day,
    hour: Math.floor(second / 3600),
    minute: Math.floor(second / 60) % 60,
    second: second % 60,
  };
  const resolved = DateTime.fromObject(wanted, { zone });
  const readsWanted =
    resolved.day === wanted.day && resolved.hour === wanted.hour && resolved.minute === wanted.minute && resolved.second === wanted.second;
  return readsWanted ? resolved.getPossibleOffsets().map((possible) => possible.toMillis()) : [];
}

/** The instant, between two midnights with different offsets, at which `zone`'s offset changes. */
function clockChange(zone: string, beforeMs: number, afterMs: number): number {
  const tz = IANAZone.create(zone);
  const offsetBefore = tz.offset(beforeMs);
  let before = beforeMs;
  let after = afterMs;
  // Midnights are whole seconds apart; offsets change on whole seconds (in practice minutes).
  while (after - before > SECOND_MS) {
    const middle = before + Math.floor((after - before) / 2 / SECOND_MS) * SECOND_MS;
    if (tz.offset(middle) === offsetBefore) before = middle;
    else after = middle;
  }
  return after;
}
