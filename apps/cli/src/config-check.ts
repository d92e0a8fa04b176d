import { readFileSync } from "node:fs";
import { loadRoutesFile, routeEvents } from "@callbridge/routes";
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
          { valid: true, sources: routes.sources, routes: routes.routes, defaults_used: defaults },
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
  const routed = routeEvents({ id: options.source, kind: source.kind }, routes.routes, events, new Date(context.nowMs()));
  const show = (text: string) => (options.reveal ? text : maskPhonesIn(text));
  if (context.json) {
    context.out(
      show(
        JSON.stringify(
          {
            valid: true,
            ignored: routed.ignored,
            outcomes: routed.outcomes.map((o) =>
              o.kind === "call"
                ? { kind: o.kind, route: o.route.name, request: o.request }
                : { kind: o.kind, route: o.route.name, problem: o.problem, draft: o.draft },
            ),
          },
          null,
          2,
        ),
      ),
    );
    return;
  }
  context.out(`${file} is valid; ${events.length} event${events.length === 1 ? "" : "s"} from ${options.source} (${source.kind}):`);
  if (routed.outcomes.length === 0) context.out("  no route matches: the ingest would count it as ignored and answer 2xx");
  for (const outcome of routed.outcomes) {
    if (outcome.kind === "call")
      context.out(`\nroute ${outcome.route.name} -> call request\n${show(JSON.stringify(outcome.request, null, 2))}`);
    else context.out(`\nroute ${outcome.route.name} -> dead letter invalid_phone: ${outcome.problem}`);
  }
}
