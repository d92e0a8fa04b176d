/** Progress lines on stderr, stamped with the seconds since the run started; the report goes to stdout. */
export type ProgressLog = (line: string) => void;

export function secondsSince(startedAt: number): string {
  return ((performance.now() - startedAt) / 1000).toFixed(1);
}

export function progressLog(startedAt: number): ProgressLog {
  return (line) => console.error(`[prove-dashboards ${secondsSince(startedAt).padStart(5)}s] ${line}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
