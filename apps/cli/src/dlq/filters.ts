import { DlqReason } from "@callbridge/schemas";
import { usageError } from "../errors.js";
import type { Letter } from "./letter.js";
import { parseTimeText } from "./time.js";

export interface FilterOptions {
  readonly reason?: string[];
  readonly code?: string[];
  readonly campaign?: string[];
  readonly source?: string[];
  readonly key?: string;
  readonly since?: string;
  readonly until?: string;
}

export interface LetterFilter {
  matches(letter: Letter): boolean;
  /** Codes named explicitly (DUPLICATE_CALL letters are replayed only when named). */
  readonly codes: ReadonlySet<string>;
}

/** Validates filter options; a bad one is a usage error naming the option. */
export function buildFilter(options: FilterOptions, nowMs: number): LetterFilter {
  const reasons = new Set(options.reason ?? []);
  for (const reason of reasons) {
    if (!DlqReason.safeParse(reason).success) {
      throw usageError(`--reason ${reason}: not a dead-letter reason (one of ${DlqReason.options.join(", ")})`);
    }
  }
  const codes = new Set(options.code ?? []);
  for (const code of codes)
    if (!/^[A-Z][A-Z0-9_]*$/.test(code)) throw usageError(`--code ${code}: codes are upper case, such as CAMPAIGN_NOT_ACTIVE`);
  const campaigns = new Set(options.campaign ?? []);
  const sources = new Set(options.source ?? []);
  const since = options.since === undefined ? undefined : parseTime("--since", options.since, nowMs);
  const until = options.until === undefined ? undefined : parseTime("--until", options.until, nowMs);
  if (since !== undefined && until !== undefined && since > until) throw usageError("--since is after --until");
  return {
    codes,
    matches: (letter) =>
      (reasons.size === 0 || reasons.has(letter.reason)) &&
      (codes.size === 0 || (letter.code !== undefined && codes.has(letter.code))) &&
      (campaigns.size === 0 || (letter.campaign !== undefined && campaigns.has(letter.campaign))) &&
      (sources.size === 0 || (letter.source !== undefined && sources.has(letter.source))) &&
      (options.key === undefined || letter.record.key?.toString("utf8") === options.key) &&
      (since === undefined || letter.failedAtMs >= since) &&
      (until === undefined || letter.failedAtMs <= until),
  };
}

/** `2h` (ago), `30m`, `7d`, or an ISO 8601 time (see parseTimeText); a bad one names the option. */
export function parseTime(option: string, text: string, nowMs: number): number {
  const parsed = parseTimeText(text, nowMs);
  if (!parsed.ok) throw usageError(`${option} ${text}: ${parsed.problem}`);
  return parsed.ms;
}

/** Commander collector for repeatable and comma-separated options. */
export function appendOption(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}
