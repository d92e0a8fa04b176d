import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { currentEnvReference, REFERENCE_PAGE_PATH, renderEnvReference, withEnvReference } from "./env-reference.js";

describe("environment reference in docs/configuration.md", () => {
  it("matches the apps' env schemas", () => {
    const page = readFileSync(REFERENCE_PAGE_PATH, "utf8");
    const drifted = "docs/configuration.md's environment reference differs from the apps' env schemas: run pnpm docs:env";
    expect(currentEnvReference(page), drifted).toBe(renderEnvReference());
  });

  it("renders required, default and enum values from the JSON Schema, in declared order", () => {
    const schema = {
      toJSONSchema: () => ({
        properties: {
          TOKEN: { description: "Needed." },
          MODE: { description: "How.", default: "a", enum: ["a", "b"] },
          LIMIT: { description: "Cap | floor.", default: 5 },
          URL: { description: "Unset: off." },
        },
        required: ["TOKEN"],
      }),
    };
    expect(renderEnvReference([{ dir: "apps/x", schema }])).toBe(
      [
        "### `apps/x`",
        "",
        "| variable | required | default | description           |",
        "| -------- | -------- | ------- | --------------------- |",
        "| `TOKEN`  | yes      | —       | Needed.               |",
        "| `MODE`   | no       | `a`     | How. One of `a`, `b`. |",
        "| `LIMIT`  | no       | `5`     | Cap \\| floor.         |",
        "| `URL`    | no       | (unset) | Unset: off.           |",
      ].join("\n"),
    );
  });

  it("refuses a variable without a description", () => {
    const schema = { toJSONSchema: () => ({ properties: { BARE: {} } }) };
    expect(() => renderEnvReference([{ dir: "apps/x", schema }])).toThrow('apps/x: BARE has no description; add .describe("...")');
  });

  it("replaces only the text between the markers", () => {
    const readme = "before\n<!-- env-reference:start -->\nold\n<!-- env-reference:end -->\nafter\n";
    expect(withEnvReference(readme, "new")).toBe("before\n<!-- env-reference:start -->\n\nnew\n\n<!-- env-reference:end -->\nafter\n");
  });
});
