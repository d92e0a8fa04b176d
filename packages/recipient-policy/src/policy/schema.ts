import { DateTime } from "luxon";
import { z } from "zod";
import { Match } from "./match.js";
import { strictObject } from "./strict-object.js";

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const Weekday = z.enum(WEEKDAYS, { error: `must be a day: ${WEEKDAYS.join(", ")}` });

const TIME_PATTERN = /^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** "HH:MM" or "HH:MM:SS" (24-hour local time) → seconds since local midnight; "24:00" is the day's end. */
export function secondsOfDay(time: string): number {
  if (time === "24:00" || time === "24:00:00") return 86_400;
  const match = TIME_PATTERN.exec(time);
  if (match === null) throw new RangeError(`not a time of day: ${time}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
}

const FROM_MESSAGE = 'must be a local time "HH:MM" or "HH:MM:SS" from 00:00 to 23:59:59, such as "08:00"';
const TO_MESSAGE = 'must be a local time "HH:MM" or "HH:MM:SS" up to 24:00, such as "21:00"';
const From = z.string({ error: FROM_MESSAGE }).regex(TIME_PATTERN, FROM_MESSAGE);
const To = z.string({ error: TO_MESSAGE }).regex(/^(?:24:00(?::00)?|([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)$/, TO_MESSAGE);

/** One row of calling hours: on these local weekdays, from `from` (inclusive) to `to` (exclusive). */
const DailyHours = strictObject({
  days: z.array(Weekday, { error: "must be a list of days, such as [mon, tue, wed]" }).min(1, "must name at least one day"),
  from: From,
  to: To,
}).superRefine(
  (row, ctx) => {
    const { from, to } = row as { from?: unknown; to?: unknown };
    const fromOk = From.safeParse(from);
    const toOk = To.safeParse(to);
    if (fromOk.success && toOk.success && secondsOfDay(toOk.data) <= secondsOfDay(fromOk.data)) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `must be later than from (${fromOk.data}); a row stays within one day, so hours past midnight take a second row`,
      });
    }
  },
  // Also when another field of the row is wrong, so every problem is reported at once; the
  // times are checked here again because their own checks may have failed.
  { when: (payload) => typeof payload.value === "object" && payload.value !== null },
);
type DailyHours = z.infer<typeof DailyHours>;

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date "YYYY-MM-DD"')
  .refine((date) => DateTime.fromISO(date).isValid, "is not a date in the calendar");

const Hours = z.array(DailyHours).min(1, "needs at least one row: a window with no hours never opens (suppress in another way)");
const Holidays = z.array(LocalDate);
const JitterMinutes = z.number().int("must be whole minutes").min(0).max(60, "must be at most 60 minutes");

/** When calls may be placed, in the recipient's local time: weekly hours, minus holidays. */
export const CallingWindow = z.object({
  hours: Hours,
  /** Local dates with no window at all, e.g. "2026-12-25"; in each of the number's zones. */
  holidays: Holidays,
});
export type CallingWindow = z.infer<typeof CallingWindow>;

const EVERY_DAY_8_TO_21: DailyHours[] = [{ days: [...WEEKDAYS], from: "08:00", to: "21:00" }];

const PolicyWindow = strictObject({
  hours: Hours.default(EVERY_DAY_8_TO_21),
  holidays: Holidays.default([]),
  /** Deferred requests are spread over this many minutes after an opening. */
  jitter_minutes: JitterMinutes.default(10),
});

const UnknownTimeZone = z.enum(["suppress", "place"], { error: 'must be "suppress" or "place"' });
const OverCap = z.enum(["defer", "suppress"], { error: 'must be "defer" or "suppress"' });
const MaxCalls = z.number().int("must be a whole number").min(0, "must be 0 (no cap) or more");
/** Hours; at most 30 days, because the store keeps each number's calls for the longest period. */
const PerHours = z.number().positive("must be more than 0").max(720, "must be at most 720 hours (30 days)");
const CooldownMinutes = z.number().int("must be whole minutes").min(0).max(10_080, "must be at most 10080 minutes (7 days)");

const FrequencyCap = strictObject({
  max_calls: MaxCalls.default(3),
  per_hours: PerHours.default(24),
  over_cap: OverCap.default("defer"),
});

const OVERRIDE_FIELDS = ["calling_window", "testing_bypasses_window", "unknown_time_zone", "frequency_cap", "cooldown_minutes"] as const;

/** Fields an override sets replace the policy's; inside calling_window and frequency_cap, field by field. */
export const PolicyOverride = strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 lower-case letters, digits, '-' or '_'"),
  match: Match,
  calling_window: strictObject({
    hours: Hours.optional(),
    holidays: Holidays.optional(),
    jitter_minutes: JitterMinutes.optional(),
  }).optional(),
  testing_bypasses_window: z.boolean().optional(),
  unknown_time_zone: UnknownTimeZone.optional(),
  frequency_cap: strictObject({ max_calls: MaxCalls.optional(), per_hours: PerHours.optional(), over_cap: OverCap.optional() }).optional(),
  cooldown_minutes: CooldownMinutes.optional(),
}).refine((override) => OVERRIDE_FIELDS.some((field) => override[field] !== undefined), {
  message: `sets nothing: give at least one of ${OVERRIDE_FIELDS.join(", ")}`,
});
export type PolicyOverride = z.infer<typeof PolicyOverride>;

/** Override names are unique, so `policyFor`'s list of applied overrides says which ones. */
const Overrides = z.array(PolicyOverride).superRefine(
  (overrides, ctx) => {
    const seen = new Set<string>();
    for (const [i, override] of (overrides as unknown[]).entries()) {
      const name = (override as { name?: unknown } | null)?.name;
      if (typeof name !== "string") continue;
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${name}" is used twice` });
      seen.add(name);
    }
  },
  // Also when an override has problems of its own, so every problem is reported at once.
  { when: (payload) => Array.isArray(payload.value) },
);

/** A recipient policy file (`kind: recipient-policy`, `version: 1`); docs/recipient-protection.md. */
export const RecipientPolicy = strictObject({
  kind: z.literal("recipient-policy", { error: 'must be "recipient-policy" (what marks a recipient policy file)' }),
  version: z.literal(1, { error: "must be 1, the only version there is" }),
  calling_window: PolicyWindow.default(() => PolicyWindow.parse({})),
  testing_bypasses_window: z.boolean().default(false),
  unknown_time_zone: UnknownTimeZone.default("suppress"),
  frequency_cap: FrequencyCap.default(() => FrequencyCap.parse({})),
  cooldown_minutes: CooldownMinutes.default(0),
  overrides: Overrides.default([]),
});
export type RecipientPolicy = z.infer<typeof RecipientPolicy>;
