import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
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
    return { ok: false, problems: document.errors.map((error) => `${path}: YAML ${error.message.split("\n")[0]?.replace(/:$/, "")}`) };
  }
  const interpolated = interpolateEnv(document.toJS(), env);
  const parsed = RoutesFile.safeParse(interpolated.value);
  const schemaProblems = parsed.success
    ? []
    : parsed.error.issues
        // A value that is empty because its variable is unset was reported already.
        .filter((issue) => !interpolated.missingPaths.has(formatPath(issue.path)))
        .map((issue) => `${path}: ${formatPath(issue.path)}: ${messageOf(issue)}`);
  const problems = [...interpolated.problems.map((problem) => `${path}: ${problem}`), ...schemaProblems];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, routes: parsed.data, references: interpolated.references };
}

/** zod reports a bad record key as "Invalid key in record"; the reason is in its sub-issues. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_key" && issue.issues.length > 0) return issue.issues.map((sub) => sub.message).join("; ");
  return issue.message;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}
