import { readFileSync } from "node:fs";
import { loadRoutesFile, type OptOutConfig, type RouteOutcome, routeEvents } from "@callbridge/routes";
import type { CliContext } from "./context.js";
import { maskPhonesIn } from "./dlq/letter.js";
import { CliError, usageError } from "./errors.js";
import { table } from "./output/table.js";

export interface ConfigCheckOptions {
  /** Source id the sample event comes from. */
  readonly source?: string;
  /** A JSON file with the event's fields as the ingest sees them (`-` for stdin). */
  readonly event?: string;
  readonly reveal?: boolean;
}

/**
 * Validates a routes file the way the ingest does at start-up (secrets from this
 * environment) and, given a sample event, shows what it would produce.
 */
export function checkConfig(context: CliContext, file: string, env: Record<string, string | undefined>, options: ConfigCheckOptions): void {
  const loaded = loadRoutesFile(file, env);
  if (!loaded.ok) {
    if (context.json) context.out(JSON.stringify({ valid: false, problems: loaded.problems }, null, 2));
    else context.out(loaded.problems.join("\n"));
    throw new CliError(`${file} is not valid (${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"})`);
  }
  const { routes } = loaded;
  const defaults = loaded.references.filter((r) => r.usedDefault).map((r) => r.variable);
  if (options.event === undefined) {
    if (context.json) {
      context.out(
        JSON.stringify(
          { valid: true, sources: routes.sources, routes: routes.routes, opt_outs: routes.opt_outs, defaults_used: defaults },
          (key, value) => (/secret|password/.test(key) ? "[redacted]" : value),
          2,
        ),
      );
      return;
    }
    context.out(`${file} is valid\n`);
    context.out(
      table(
        ["SOURCE", "KIND", "URL PATH"],
        Object.entries(routes.sources).map(([id, source]) => [id, source.kind, `/webhooks/${id}`]),
      ),
    );
    context.out("");
    context.out(
      table(
        ["ROUTE", "SOURCE", "CAMPAIGN", "TO", "WHEN"],
        routes.routes.map((r) => [r.name, r.source, r.campaign_id, r.to.join(" | "), JSON.stringify(r.when)]),
      ),
    );
    if (routes.opt_outs.length > 0) context.out(`\n${optOutsTable(routes.opt_outs)}\n(opt-outs need REDIS_URL at the ingest)`);
    if (defaults.length > 0) context.out(`\nusing the file's default for: ${[...new Set(defaults)].join(", ")}`);
    return;
  }

  if (options.source === undefined) throw usageError("--event needs --source <id>: which source the event comes from");
  const source = routes.sources[options.source];
  if (!source)
    throw usageError(`--source ${options.source}: the file has no such source (it has ${Object.keys(routes.sources).join(", ")})`);
  let fields: unknown;
  try {
    fields = JSON.parse(readFileSync(options.event === "-" ? 0 : options.event, "utf8"));
  } catch (error) {
    throw usageError(`--event ${options.event}: not a readable JSON file (${(error as Error).message.split("\n")[0]})`);
  }
  const events = Array.isArray(fields) ? fields.map((f, i) => ({ id: `sample-${i}`, fields: f })) : [{ id: "sample", fields }];
  const routed = routeEvents({ id: options.source, kind: source.kind }, routes, events, new Date(context.nowMs()));
  const show = (text: string) => (options.reveal ? text : maskPhonesIn(text));
  if (context.json) {
    context.out(
      show(
        JSON.stringify(
          {
            valid: true,
            ignored: routed.ignored,
            outcomes: routed.outcomes.map(outcomeJson),
          },
          null,
          2,
        ),
      ),
    );
    return;
  }
  context.out(`${file} is valid; ${events.length} event${events.length === 1 ? "" : "s"} from ${options.source} (${source.kind}):`);
  if (routed.outcomes.length === 0) context.out("  no route or opt-out matches: the ingest would count it as ignored and answer 2xx");
  for (const outcome of routed.outcomes) context.out(`\n${describeOutcome(outcome, show)}`);
}

function optOutsTable(optOuts: readonly OptOutConfig[]): string {
  return table(
    ["OPT-OUT", "SOURCE", "TO", "WHEN"],
    optOuts.map((o) => [o.name, o.source, o.to.join(" | "), JSON.stringify(o.when)]),
  );
}

function outcomeJson(o: RouteOutcome): Record<string, unknown> {
  switch (o.kind) {
    case "call":
      return { kind: o.kind, route: o.route.name, request: o.request };
    case "opt_out":
      return { kind: o.kind, route: o.route.name, to: o.to };
    case "invalid_phone":
    case "opt_out_invalid_phone":
      return { kind: o.kind, route: o.route.name, problem: o.problem, draft: o.draft };
  }
}

/** What the ingest would do with one outcome; `show` masks numbers unless --reveal. */
function describeOutcome(o: RouteOutcome, show: (text: string) => string): string {
  switch (o.kind) {
    case "call":
      return `route ${o.route.name} -> call request\n${show(JSON.stringify(o.request, null, 2))}`;
    case "opt_out":
      return `opt-out ${o.route.name} -> suppress ${show(o.to)}: put on the do-not-call list, never called`;
    case "invalid_phone":
      return `route ${o.route.name} -> dead letter invalid_phone: ${o.problem}`;
    case "opt_out_invalid_phone":
      return `opt-out ${o.route.name} -> dead letter invalid_phone: ${o.problem}`;
  }
}
