import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { RecipientPolicy } from "./schema.js";

export type LoadPolicyResult = { ok: true; policy: RecipientPolicy } | { ok: false; problems: string[] };

/**
 * Reads and validates a recipient policy file. Every problem is reported at once, each as
 * `<file>: <path in the file>: <reason>` (e.g. `overrides[1].calling_window.hours[0].to: must be
 * later than from (08:00) ...`), so a bad file is fixed in one go.
 */
export function loadRecipientPolicy(path: string): LoadPolicyResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    return {
      ok: false,
      problems: [`${path}: cannot read the recipient policy file (${(error as NodeJS.ErrnoException).code ?? String(error)})`],
    };
  }
  return parseRecipientPolicy(text, path);
}

/** `loadRecipientPolicy` for text already read; `file` names it in the problems. */
export function parseRecipientPolicy(text: string, file: string): LoadPolicyResult {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((error) => `${file}: YAML ${error.message.split("\n")[0]?.replace(/:$/, "")}`) };
  }
  const parsed = RecipientPolicy.safeParse(document.toJS());
  if (parsed.success) return { ok: true, policy: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap((issue) => problemsOf(issue).map((problem) => `${file}: ${problem}`)) };
}

/**
 * Whether a text is meant as a recipient policy: a YAML mapping whose `kind` is
 * `recipient-policy`, the way `callbridge config check` tells it from a routes file.
 */
export function isRecipientPolicyText(text: string): boolean {
  const document = parseDocument(text);
  if (document.errors.length > 0) return false;
  const value: unknown = document.toJS();
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "recipient-policy";
}

/** One problem per unknown key, at the key's own path; one per other issue. */
function problemsOf(issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
  return [`${formatPath(issue.path)}: ${issue.message}`];
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join("");
}
