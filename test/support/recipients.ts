import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CallResult } from "@callbridge/schemas";
import { eventually, jsonOf, readAll } from "./kafka.js";

/**
 * Numbers whose time zone is one zone only, around the globe (no two neighbours more than three
 * hours apart): at any moment some are in their day and some in their night. `base` plus two
 * digits is a valid number of the same area.
 */
export const NUMBERS_BY_ZONE = [
  { zone: "Pacific/Honolulu", base: "+180855501" },
  { zone: "America/Los_Angeles", base: "+141555501" },
  { zone: "America/Mexico_City", base: "+5255123456" },
  { zone: "America/New_York", base: "+121255501" },
  { zone: "America/Sao_Paulo", base: "+55112345671" },
  { zone: "Europe/London", base: "+4420794601" },
  { zone: "Europe/Berlin", base: "+49301234561" },
  { zone: "Africa/Johannesburg", base: "+2711123451" },
  { zone: "Europe/Moscow", base: "+749512345" },
  { zone: "Asia/Dubai", base: "+9714300123" },
  { zone: "Asia/Calcutta", base: "+9122123456" },
  { zone: "Asia/Hong_Kong", base: "+8522123456" },
  { zone: "Asia/Tokyo", base: "+8131234567" },
  { zone: "Australia/Sydney", base: "+6121234567" },
  { zone: "Pacific/Auckland", base: "+64930012" },
] as const;

/** The wall-clock time in `zone` at `atMs`, as seconds since local midnight. */
export function localSecondOfDay(zone: string, atMs: number): number {
  const [hour = 0, minute = 0, second = 0] = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  })
    .formatToParts(new Date(atMs))
    .filter((part) => part.type !== "literal")
    .map((part) => Number(part.value));
  return hour * 3600 + minute * 60 + second;
}

/** "HH:MM:SS" of seconds since midnight. */
export function clock(secondOfDay: number): string {
  const s = Math.floor(secondOfDay);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":");
}

/** Writes a recipient policy file (YAML text) to a fresh temporary directory; returns its path. */
export function writePolicy(yaml: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "callbridge-policy-")), "recipient-policy.yaml");
  writeFileSync(path, yaml);
  return path;
}

/** A zone (and its numbers) whose local time stays at least `marginS` clear of midnight either side of now. */
function zoneAwayFromMidnight(marginS: number): (typeof NUMBERS_BY_ZONE)[number] {
  const found = NUMBERS_BY_ZONE.find(({ zone }) => {
    const at = localSecondOfDay(zone, Date.now());
    return at > marginS && at < 24 * 3600 - marginS;
  });
  if (!found) throw new Error("no zone away from midnight");
  return found;
}

/**
 * A policy file whose only calling window opens `secondsFromNow` from now (on a whole second)
 * for the numbers of a zone away from midnight, for an hour, with no jitter: the numbers, the
 * policy's path and the opening, ms since the epoch.
 */
export function windowOpeningSoon(secondsFromNow: number): { base: string; zone: string; policy: string; opensAtMs: number } {
  const { zone, base } = zoneAwayFromMidnight(2 * 3600);
  const opensAtMs = Math.ceil((Date.now() + secondsFromNow * 1000) / 1000) * 1000;
  const from = localSecondOfDay(zone, opensAtMs);
  const policy = writePolicy(`kind: recipient-policy
version: 1
calling_window:
  hours: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "${clock(from)}", to: "${clock(from + 3600)}" }]
  jitter_minutes: 0
`);
  return { base, zone, policy, opensAtMs };
}

/** Every result event on `topic`, read again until `until` holds for them (or `timeoutMs` passes). */
export function resultsUntil(
  brokers: string,
  topic: string,
  until: (all: CallResult[]) => boolean,
  what: string,
  timeoutMs = 90_000,
): Promise<CallResult[]> {
  return eventually(
    async () => {
      const all = (await readAll(brokers, topic)).map((r) => CallResult.parse(jsonOf(r)));
      return until(all) ? all : undefined;
    },
    what,
    timeoutMs,
  );
}
