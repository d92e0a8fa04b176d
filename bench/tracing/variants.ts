// The three builds/settings measured side by side: the build before tracing existed, this
// build with tracing off (no OTEL_* set), and this build tracing every span to the sink.

export const VARIANTS = ["before", "off", "on"] as const;
export type Variant = (typeof VARIANTS)[number];

interface VariantSetup {
  /** The app's `dist/main.js`. */
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
  readonly nodeArgs: readonly string[];
}

export type Setups = Readonly<Record<Variant, VariantSetup>>;

/** Round `i`'s order (0-based): the variants rotated, so each takes each place in turn and no one always runs first. */
export function roundOrder(i: number): Variant[] {
  return VARIANTS.map((_, j) => VARIANTS[(i + j) % VARIANTS.length] as Variant);
}

/** `--cpu-prof` into `<dir>/<app>-<variant>` when profiling, else nothing. */
export function profileArgs(dir: string | undefined, app: string, variant: Variant): string[] {
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}/${app}-${variant}`] : [];
}

/** `A=1 B=2` as an env object (for BENCH_ON_ENV: extra settings of the traced runs). */
export function parseEnvList(text: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (text ?? "").split(" ").filter((p) => p !== "")) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`not NAME=value: ${JSON.stringify(pair)}`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
