// Medians and spreads of per-round ratios, and what they say about a target.

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function spread(values: readonly number[]): Spread {
  return { median: round3(median(values)), min: round3(Math.min(...values)), max: round3(Math.max(...values)) };
}

/**
 * No measurable difference: the rounds' ratios fall on both sides of 1 (or on it), so which
 * build is ahead changes from round to round. All on one side is a measurable difference,
 * however small: with 5 rounds, by chance 1 time in 16.
 */
function withinNoise(ratios: Spread): boolean {
  return ratios.min <= 1 && ratios.max >= 1;
}

export function round3(value: number): number {
  return Number(value.toFixed(3));
}

/** One build against another in one round. */
export interface Ratios {
  /** Throughput of the one ÷ of the other (1 = as fast; < 1 = slower). */
  readonly throughput: number;
  /** CPU per unit of work of the one ÷ of the other (1 = as cheap; > 1 = dearer). */
  readonly cpu: number;
}

export function ratiosOf(one: { throughput: number; cpu: number }, other: { throughput: number; cpu: number }): Ratios {
  return { throughput: round3(one.throughput / other.throughput), cpu: round3(one.cpu / other.cpu) };
}

/** The least ON ÷ OFF throughput the issue allows: tracing every span costs at most 15%. */
const ON_THROUGHPUT_TARGET = 0.85;

/** The rounds' ratios summed up against the targets: OFF as fast and cheap as BEFORE (within noise), ON ≥ 0.85× OFF. */
export function verdicts(rounds: readonly { readonly off_vs_before: Ratios; readonly on_vs_off: Ratios }[]) {
  const offVsBefore = {
    throughput: spread(rounds.map((r) => r.off_vs_before.throughput)),
    cpu: spread(rounds.map((r) => r.off_vs_before.cpu)),
  };
  const onVsOff = { throughput: spread(rounds.map((r) => r.on_vs_off.throughput)), cpu: spread(rounds.map((r) => r.on_vs_off.cpu)) };
  return {
    off_vs_before: {
      ...offVsBefore,
      throughput_within_noise: withinNoise(offVsBefore.throughput),
      cpu_within_noise: withinNoise(offVsBefore.cpu),
    },
    on_vs_off: {
      ...onVsOff,
      throughput_target: ON_THROUGHPUT_TARGET,
      throughput_target_met: onVsOff.throughput.median >= ON_THROUGHPUT_TARGET,
    },
  };
}

/** One line per comparison: the median of the rounds' ratios, their range, and the verdict. */
export function describeVerdicts(app: string, v: ReturnType<typeof verdicts>): string[] {
  const range = (s: Spread) => `${s.median} (rounds ${s.min}–${s.max})`;
  const noise = (within: boolean) => (within ? "within the rounds' noise" : "outside the rounds' noise");
  return [
    `${app} OFF/BEFORE: throughput ${range(v.off_vs_before.throughput)}, ${noise(v.off_vs_before.throughput_within_noise)}; ` +
      `CPU per unit ${range(v.off_vs_before.cpu)}, ${noise(v.off_vs_before.cpu_within_noise)}`,
    `${app} ON/OFF: throughput ${range(v.on_vs_off.throughput)}, target >= ${v.on_vs_off.throughput_target} ` +
      `${v.on_vs_off.throughput_target_met ? "met" : "MISSED"}; CPU per unit ${range(v.on_vs_off.cpu)}`,
  ];
}
