// The environment reference in docs/configuration.md, rendered from the apps' zod env schemas
// (their JSON Schema, input side: what an operator sets). `pnpm docs:env` runs this file to
// rewrite the marked section; env-reference.test.ts fails when the page has drifted. Imports
// the apps' dist, so build them first (`pnpm docs:env` does).
import { readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { IngestEnv } from "@callbridge/ingest";
import { SimulatorEnv } from "@callbridge/talkover-sim";
import { WorkerEnv } from "@callbridge/worker";

/** What the generator needs of a zod object schema (so this package needs no zod of its own). */
export interface EnvSchema {
  toJSONSchema(params: { io: "input" }): unknown;
}

/** One line per app, in page order. A new app also needs its package in test/package.json. */
const APPS: readonly { readonly dir: string; readonly schema: EnvSchema }[] = [
  { dir: "apps/ingest", schema: IngestEnv },
  { dir: "apps/worker", schema: WorkerEnv },
  { dir: "apps/talkover-sim", schema: SimulatorEnv },
];

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGE = "docs/configuration.md";
export const REFERENCE_PAGE_PATH = resolve(REPO_ROOT, PAGE);
const START_MARKER = "<!-- env-reference:start -->";
const END_MARKER = "<!-- env-reference:end -->";

interface PropertySchema {
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
}
interface ObjectSchema {
  readonly properties?: Record<string, PropertySchema>;
  readonly required?: readonly string[];
}

/** The markdown between the markers: per app a heading and a table, variables in declared order. */
export function renderEnvReference(apps: readonly { readonly dir: string; readonly schema: EnvSchema }[] = APPS): string {
  const sections = apps.map(({ dir, schema }) => {
    const json = schema.toJSONSchema({ io: "input" }) as ObjectSchema;
    const required = new Set(json.required ?? []);
    const rows = Object.entries(json.properties ?? {}).map(([name, property]) => {
      if (!property.description) throw new Error(`${dir}: ${name} has no description; add .describe("...") to its zod schema`);
      const isRequired = required.has(name);
      return [`\`${name}\``, isRequired ? "yes" : "no", defaultCell(property, isRequired), descriptionCell(property)];
    });
    return `### \`${dir}\`\n\n${table(["variable", "required", "default", "description"], rows)}`;
  });
  return sections.join("\n\n");
}

/** The page with `reference` between the markers. */
export function withEnvReference(page: string, reference: string): string {
  const { start, end } = markers(page);
  return `${page.slice(0, start)}\n\n${reference}\n\n${page.slice(end)}`;
}

/** What the page has between the markers, without the blank lines around it. */
export function currentEnvReference(page: string): string {
  const { start, end } = markers(page);
  return page.slice(start, end).trim();
}

function markers(page: string): { start: number; end: number } {
  const start = page.indexOf(START_MARKER);
  const end = page.indexOf(END_MARKER);
  if (start < 0 || end < start || page.indexOf(START_MARKER, start + 1) >= 0 || page.indexOf(END_MARKER, end + 1) >= 0) {
    throw new Error(`${PAGE} needs exactly one ${START_MARKER} followed by one ${END_MARKER}`);
  }
  return { start: start + START_MARKER.length, end };
}

function defaultCell(property: PropertySchema, isRequired: boolean): string {
  if (isRequired) return "—";
  if (property.default === undefined) return "(unset)";
  if (property.default === "") return "(empty)";
  let value = typeof property.default === "string" ? property.default : JSON.stringify(property.default);
  // A path computed from the module's location (ROUTES_FILE) is shown from the repository root.
  if (isAbsolute(value) && !relative(REPO_ROOT, value).startsWith("..")) value = relative(REPO_ROOT, value);
  return `\`${value}\``;
}

/** The description, plus the allowed values of an enum unless the description names each in backticks. */
function descriptionCell(property: PropertySchema): string {
  const description = property.description ?? "";
  const values = (property.enum ?? []).map((value) => `\`${String(value)}\``);
  return values.length > 0 && !values.every((value) => description.includes(value))
    ? `${description} One of ${values.join(", ")}.`
    : description;
}

/** A markdown table with padded columns, as Prettier lays it out. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => cell.replaceAll("|", "\\|").replace(/\s+/g, " ")));
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  const [head = [], ...body] = cells;
  return [line(head), line(widths.map((width) => "-".repeat(width))), ...body.map(line)].join("\n");
}

// `tsx docs/env-reference.ts` (through `pnpm docs:env`): rewrite the page's marked section.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const page = readFileSync(REFERENCE_PAGE_PATH, "utf8");
  const updated = withEnvReference(page, renderEnvReference());
  if (updated === page) {
    console.log(`${PAGE}: the environment reference is up to date`);
  } else {
    writeFileSync(REFERENCE_PAGE_PATH, updated);
    console.log(`${PAGE}: environment reference regenerated`);
  }
}
