import { readFileSync } from "node:fs";
import { RecipientPolicy } from "@callbridge/recipient-policy";
import { type LoadRoutesResult, type OptOutConfig, parseRoutes, type RouteOutcome, RoutesFile, routeEvents } from "@callbridge/routes";
import type { CliContext } from "./context.js";
import { maskPhonesIn } from "./dlq/letter.js";
import { CliError, usageError } from "./errors.js";
import { table } from "./output/table.js";
import { fileProblem } from "./suppress/export.js";

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
  const loaded = readRoutesFile(context, file, env);
  const defaults = loaded.references.filter((r) => r.usedDefault).map((r) => r.variable);
  if (options.event === undefined) printRoutes(context, file, loaded.routes, defaults);
  else checkEvent(context, file, loaded.routes, { ...options, event: options.event });
}

function printRoutes(context: CliContext, file: string, routes: RoutesFile, defaults: readonly string[]): void {
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
}

/** What the sample event(s) of `--event` would produce at the ingest. */
function checkEvent(context: CliContext, file: string, routes: RoutesFile, options: ConfigCheckOptions & { event: string }): void {
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
  // Line by line: the masking folds every kind of space, line breaks included, into one.
  const show = (text: string) => (options.reveal ? text : text.split("\n").map(maskPhonesIn).join("\n"));
  if (context.json) {
    context.out(show(JSON.stringify({ valid: true, ignored: routed.ignored, outcomes: routed.outcomes.map(outcomeJson) }, null, 2)));
    return;
  }
  context.out(`${file} is valid; ${events.length} event${events.length === 1 ? "" : "s"} from ${options.source} (${source.kind}):`);
  if (routed.outcomes.length === 0) context.out("  no route or opt-out matches: the ingest would count it as ignored and answer 2xx");
  for (const outcome of routed.outcomes) context.out(`\n${describeOutcome(outcome, show)}`);
}

/**
 * The routes file, read and validated as the ingest does. When it is not one, prints what is
 * wrong (a first line saying what the file looks like, when that explains the problems) and
 * throws: a missing file, an empty one and a recipient policy without its `kind` are each
 * said in so many words rather than as schema errors.
 */
function readRoutesFile(
  context: CliContext,
  file: string,
  env: Record<string, string | undefined>,
): Extract<LoadRoutesResult, { ok: true }> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const problem = `cannot read ${file}: ${fileProblem(error)}`;
    if (context.json) context.out(JSON.stringify({ valid: false, problems: [problem] }, null, 2));
    throw new CliError(problem);
  }
  const look = lookOf(text);
  const loaded: LoadRoutesResult =
    look.kind === "empty" ? { ok: false, problems: [`${file}: ${EMPTY_FILE}`] } : parseRoutes(text, file, env);
  if (loaded.ok) return loaded;
  const hint = look.kind === "policy" ? `${file}: ${policyHint(look)}` : undefined;
  if (context.json)
    context.out(JSON.stringify({ valid: false, ...(hint === undefined ? {} : { hint }), problems: loaded.problems }, null, 2));
  else context.out([...(hint === undefined ? [] : [hint]), ...loaded.problems].join("\n"));
  const count = `${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"}`;
  if (look.kind === "empty") throw new CliError(`${file} is not valid: the file is empty`);
  if (look.kind === "policy")
    throw new CliError(`${file} is not valid as a routes file (${count}): it looks like a recipient policy (see the first line)`);
  throw new CliError(`${file} is not valid (${count})`);
}

const EMPTY_FILE =
  "the file is empty (nothing but comments and blank lines): a routes file has `sources:` and `routes:` (docs/ingest.md), a recipient policy starts with `kind: recipient-policy`";

/** The top-level keys of each kind of file, from their schemas. */
const ROUTES_KEYS: readonly string[] = Object.keys(RoutesFile.shape);
const POLICY_KEYS: readonly string[] = Object.keys(RecipientPolicy.shape).filter((key) => key !== "kind");

/**
 * What a file that is read as a routes file looks like, from its text alone (it need not be
 * valid YAML): `empty` (only comments, blank lines and document markers); `policy` when it
 * has no routes-file key but a recipient policy's (`calling_window`, `version`, ...) or a
 * `kind` that names one, misspelt; `other` for anything else.
 */
export type FileLook =
  | { readonly kind: "empty" }
  | { readonly kind: "policy"; readonly keys: readonly string[]; readonly kindValue: string | undefined }
  | { readonly kind: "other" };

export function lookOf(text: string): FileLook {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  if (lines.every((line) => /^\s*(?:#.*)?$/.test(line) || /^(?:---|\.\.\.)(?:\s+#.*)?\s*$/.test(line))) return { kind: "empty" };
  const keys = topLevelKeys(lines);
  if (ROUTES_KEYS.some((key) => keys.has(key))) return { kind: "other" };
  const kindValue = keys.get("kind");
  const policyKeys = POLICY_KEYS.filter((key) => keys.has(key));
  if (policyKeys.length > 0 || (kindValue !== undefined && /recipient|polic/i.test(kindValue)))
    return { kind: "policy", keys: policyKeys, kindValue };
  return { kind: "other" };
}

/** A block mapping's top-level keys (a line starting in column 0 with `key:`), each with its value's text. */
function topLevelKeys(lines: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of lines) {
    const match = /^(?:"([^"]+)"|'([^']+)'|([A-Za-z_][\w.-]*))\s*:(?:\s+(.*))?$/.exec(line);
    if (match === null) continue;
    const value = (match[4] ?? "").replace(/(?:^|\s+)#.*$/, "").trim();
    keys.set(match[1] ?? match[2] ?? match[3] ?? "", value.replace(/^(["'])(.*)\1$/, "$2"));
  }
  return keys;
}

/** The first line for a file that looks like a recipient policy: why it was read as a routes file and what to write. */
export function policyHint(look: Extract<FileLook, { kind: "policy" }>): string {
  if (look.kindValue === "recipient-policy")
    return "this is a recipient policy (kind: recipient-policy), but not valid YAML, so it was checked as a routes file: fix the YAML problems below";
  const shown = look.keys.length > 3 ? [...look.keys.slice(0, 3), "..."] : look.keys;
  const evidence = look.keys.length > 0 ? ` (it has ${shown.join(", ")})` : "";
  const kindSays = look.kindValue === undefined ? "it has no kind" : `its kind is "${look.kindValue}"`;
  const version = look.keys.includes("version") ? "" : " and add `version: 1`";
  return `this looks like a recipient policy${evidence}, not a routes file, but ${kindSays}: make its first line \`kind: recipient-policy\`${version}`;
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
