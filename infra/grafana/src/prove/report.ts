// The report on stdout: tables a reader scans, then the verdict (progress lines go to stderr).

export type Cell = string | number;

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** A plain-text table: columns padded to their widest cell, a dashed rule under the headers. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export interface Findings {
  readonly failures: string[];
  /** Things this run could not prove that are not failures (the 503 panels against a broker it did not start). */
  readonly warnings: string[];
}

/** The last lines: what was not proven, then what failed or that everything answered. Answers the exit code. */
export function printVerdict(findings: Findings, seconds: string): 0 | 1 {
  if (findings.warnings.length > 0) console.error(`\nprove-dashboards: not proven in this run:\n- ${findings.warnings.join("\n- ")}`);
  if (findings.failures.length > 0) {
    console.error(`\nprove-dashboards: FAILED after ${seconds} s:\n- ${findings.failures.join("\n- ")}`);
    return 1;
  }
  print(`\nprove-dashboards: every panel target and every rule expr answered, every panel has data (${seconds} s)`);
  return 0;
}
