import type { CliContext } from "../context.js";
import { table } from "../output/table.js";
import type { LetterDecision } from "./replay-decision.js";

/** Ids listed per kind of skip; beyond this only the count grows, so memory stays flat. */
const LISTED = 100;

interface Listed<T> {
  count: number;
  first: T[];
}

export interface Report {
  matching: number;
  /** Letters decided for replay so far. */
  planned: number;
  /** Letters the broker acknowledged (the request and the note that it was replayed). */
  replayed: number;
  dryRun: boolean;
  /** Stopped by a signal before the end of the topic: `matching` counts only the letters read so far. */
  interrupted?: boolean;
  /** Replayed letters (a dry run: planned ones) by `reason/code`. */
  byReasonAndCode: Record<string, number>;
  skipped: {
    already_replayed: number;
    duplicate_call: number;
    loop_guard: Listed<string>;
    value_truncated: Listed<{ id: string; problem: string }>;
    invalid: Listed<{ id: string; problem: string }>;
    too_large: Listed<{ id: string; problem: string }>;
  };
}

export function emptyReport(dryRun: boolean): Report {
  const listed = () => ({ count: 0, first: [] });
  return {
    matching: 0,
    planned: 0,
    replayed: 0,
    dryRun,
    byReasonAndCode: {},
    skipped: {
      already_replayed: 0,
      duplicate_call: 0,
      loop_guard: listed(),
      value_truncated: listed(),
      invalid: listed(),
      too_large: listed(),
    },
  };
}

function note<T>(listed: Listed<T>, item: T): void {
  listed.count += 1;
  if (listed.first.length < LISTED) listed.first.push(item);
}

/** Counts one decision; a real run counts a planned letter's bucket once it is sent (`sent`). */
export function count(report: Report, id: string, decision: LetterDecision): void {
  if (decision.kind === "not_matching") return;
  report.matching += 1;
  const { skipped } = report;
  switch (decision.kind) {
    case "already_replayed":
      skipped.already_replayed += 1;
      return;
    case "duplicate_call":
      skipped.duplicate_call += 1;
      return;
    case "loop_guard":
      note(skipped.loop_guard, id);
      return;
    case "value_truncated":
    case "invalid":
    case "too_large":
      note(skipped[decision.kind], { id, problem: decision.problem });
      return;
    case "replay":
      report.planned += 1;
      if (report.dryRun) addToBucket(report, decision.bucket);
      return;
  }
}

/** A letter the broker acknowledged. */
export function sent(report: Report, bucket: string): void {
  report.replayed += 1;
  addToBucket(report, bucket);
}

/** A letter the broker refused for its size after all (its limit is lower than it said). */
export function refusedTooLarge(report: Report, id: string, problem: string): void {
  note(report.skipped.too_large, { id, problem });
}

function addToBucket(report: Report, bucket: string): void {
  report.byReasonAndCode[bucket] = (report.byReasonAndCode[bucket] ?? 0) + 1;
}

export function printReport(context: CliContext, report: Report): void {
  if (context.json) {
    context.out(JSON.stringify(report, null, 2));
    return;
  }
  const verb = report.dryRun ? "would replay" : "replayed";
  const matched = report.interrupted
    ? `${report.matching} letters read so far match (stopped before the end)`
    : `${report.matching} letters match`;
  context.out(
    `${matched}; ${verb} ${report.dryRun ? report.planned : report.replayed}${report.dryRun ? " (dry run: nothing written)" : ""}`,
  );
  const rows = Object.entries(report.byReasonAndCode).map(([bucket, n]) => [...bucket.split("/"), String(n)]);
  if (rows.length > 0) context.out(`\n${table(["REASON", "CODE", report.dryRun ? "WOULD REPLAY" : "REPLAYED"], rows)}`);
  const { skipped } = report;
  const more = (listed: Listed<unknown>) => (listed.count > listed.first.length ? ` (and ${listed.count - listed.first.length} more)` : "");
  if (skipped.already_replayed > 0) context.out(`skipped ${skipped.already_replayed} already replayed`);
  if (skipped.duplicate_call > 0)
    context.out(`skipped ${skipped.duplicate_call} DUPLICATE_CALL letters (name them with --code DUPLICATE_CALL to replay)`);
  if (skipped.loop_guard.count > 0)
    context.out(
      `left alone ${skipped.loop_guard.count} letters replayed too often already: ${skipped.loop_guard.first.join(", ")}${more(skipped.loop_guard)}`,
    );
  if (skipped.value_truncated.count > 0) context.out(`skipped ${skipped.value_truncated.count} letters whose value was cut to fit:`);
  for (const { id, problem } of skipped.value_truncated.first) context.out(`  skipped ${id}: ${problem}`);
  if (skipped.too_large.count > 0) context.out(`skipped ${skipped.too_large.count} letters too large to replay:`);
  for (const { id, problem } of skipped.too_large.first) context.out(`  skipped ${id}: ${problem}`);
  for (const { id, problem } of skipped.invalid.first) context.out(`skipped ${id}: ${problem}`);
  for (const listed of [skipped.value_truncated, skipped.too_large, skipped.invalid]) if (more(listed)) context.out(`  ...${more(listed)}`);
}
