import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import { type EnvReference, interpolateEnv } from "./interpolate.js";
import { RoutesFile } from "./schema.js";

export type LoadRoutesResult = { ok: true; routes: RoutesFile; references: EnvReference[] } | { ok: false; problems: string[] };

/**
 * Reads, interpolates and validates a routes file. Every problem is reported at once, each
 * naming the file and the path in it, so a bad file is fixed in one go.
 */
export function loadRoutesFile(path: string, env: Record<string, string | undefined>): LoadRoutesResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return { ok: false, problems: [`${path}: cannot read the routes file (${(error as NodeJS.ErrnoException).code ?? String(error)})`] };
  }
  return parseRoutes(text, path, env);
}

export function parseRoutes(text: string, path: string, env: Record<string, string | undefined>): LoadRoutesResult {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((error) => `${path}: YAML ${error.message.split("\n")[0]}`) };
  }
  const interpolated = interpolateEnv(document.toJS(), env);
  if (!interpolated.ok) return { ok: false, problems: interpolated.problems.map((problem) => `${path}: ${problem}`) };
  const parsed = RoutesFile.safeParse(interpolated.value);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => `${path}: ${formatPath(issue.path)}: ${issue.message}`) };
  }
  return { ok: true, routes: parsed.data, references: interpolated.references };
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}
