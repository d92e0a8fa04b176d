// The three Prometheus HTTP API answers the run reads, each validated.
import { z } from "zod";

const Sample = z.tuple([z.number(), z.string()]);
const QueryAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.enum(["scalar", "string"]), result: Sample }),
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ value: Sample })) }),
      z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ values: z.array(Sample) })) }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string().optional() }),
]);

export type QueryOutcome =
  | { readonly ok: true; readonly series: number; readonly finite: number }
  | { readonly ok: false; readonly error: string };

const hasFiniteValue = (value: string | undefined) => Number.isFinite(Number(value));

/** Runs an instant query: how many series it returns and how many of them have a finite value (the latest, for a range). */
export async function promQuery(promUrl: string, expr: string): Promise<QueryOutcome> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = QueryAnswer.parse(await res.json());
  if (body.status === "error") return { ok: false, error: `${body.errorType ?? res.status}: ${body.error ?? "query failed"}` };
  const { data } = body;
  switch (data.resultType) {
    case "scalar":
    case "string":
      return { ok: true, series: 1, finite: hasFiniteValue(data.result[1]) ? 1 : 0 };
    case "vector":
      return { ok: true, series: data.result.length, finite: data.result.filter((s) => hasFiniteValue(s.value[1])).length };
    case "matrix":
      return { ok: true, series: data.result.length, finite: data.result.filter((s) => hasFiniteValue(s.values.at(-1)?.[1])).length };
  }
}

const ScrapeTarget = z.object({
  labels: z.record(z.string(), z.string()),
  scrapeUrl: z.string(),
  health: z.string(),
  lastError: z.string(),
});
export type ScrapeTarget = z.infer<typeof ScrapeTarget>;
const TargetsAnswer = z.object({ data: z.object({ activeTargets: z.array(ScrapeTarget) }) });

export async function activeTargets(promUrl: string): Promise<ScrapeTarget[]> {
  const res = await fetch(`${promUrl}/api/v1/targets?state=active`);
  return TargetsAnswer.parse(await res.json()).data.activeTargets;
}

const LoadedRule = z.object({
  name: z.string(),
  query: z.string(),
  type: z.enum(["alerting", "recording"]),
  health: z.string(),
  lastError: z.string().optional(),
  state: z.string().optional(),
});
export type LoadedRule = z.infer<typeof LoadedRule> & { readonly group: string };
const RulesAnswer = z.object({ data: z.object({ groups: z.array(z.object({ name: z.string(), rules: z.array(LoadedRule) })) }) });

/** Every rule as Prometheus loaded and last evaluated it, with its group's name. */
export async function loadedRules(promUrl: string): Promise<LoadedRule[]> {
  const res = await fetch(`${promUrl}/api/v1/rules`);
  return RulesAnswer.parse(await res.json()).data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
}
