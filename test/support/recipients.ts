import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
