export type ParsedTime = { ok: true; ms: number } | { ok: false; problem: string };

const RELATIVE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** The ISO 8601 forms operators type: a date, or a date and time with an optional zone. */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
/** JavaScript dates end here (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `30m`, `2h`, `7d` ago, or an ISO 8601 date or time. Strict: `Date.parse` reads Feb 30 as
 * Mar 2 and accepts free text, so every field is range-checked here first. A time without a
 * zone is local time (as `Date.parse` reads it); a date alone is midnight UTC.
 */
export function parseTimeText(text: string, nowMs: number): ParsedTime {
  const relative = RELATIVE.exec(text);
  if (relative?.[1] && relative[2]) {
    const ms = nowMs - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
    return Math.abs(ms) <= MAX_DATE_MS ? { ok: true, ms } : { ok: false, problem: "that is further back than a date can go" };
  }
  const iso = ISO.exec(text);
  if (!iso) return { ok: false, problem: "give a duration ago (30m, 2h, 7d) or an ISO time (2026-11-27T10:00:00Z)" };
  const [, y, mo, d, h, mi, s, , zone] = iso;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12) return { ok: false, problem: `there is no month ${mo}` };
  if (day < 1 || day > daysIn(year, month)) {
    return { ok: false, problem: `there is no day ${d} in ${MONTHS[month - 1]} ${y} (it has ${daysIn(year, month)} days)` };
  }
  if (h !== undefined && Number(h) > 23) return { ok: false, problem: `there is no hour ${h} (00-23)` };
  if (mi !== undefined && Number(mi) > 59) return { ok: false, problem: `there is no minute ${mi} (00-59)` };
  if (s !== undefined && Number(s) > 59) return { ok: false, problem: `there is no second ${s} (00-59)` };
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const [zh, zm] = [Number(zone.slice(1, 3)), Number(zone.slice(-2))];
    if (zh > 23 || zm > 59) return { ok: false, problem: `${zone} is not a time zone offset` };
  }
  // The fields are valid; Date.parse wants the "T" and a colon in the offset.
  const normalized = text.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? { ok: false, problem: "not an ISO time Node can read" } : { ok: true, ms };
}
