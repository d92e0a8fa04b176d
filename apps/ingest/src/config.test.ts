import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig, misplacedPolicyHint } from "./config.js";

const policyExample = fileURLToPath(new URL("../../../config/recipient-policy.example.yaml", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "ingest-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = { KAFKA_BROKERS: "127.0.0.1:19092" };

function problemsWith(routesFile: string): string[] {
  const loaded = loadConfig({ ...minimal, ROUTES_FILE: routesFile });
  if (loaded.ok) throw new Error(`expected ${routesFile} to be refused`);
  return loaded.problems;
}

describe("misplacedPolicyHint", () => {
  const is = "f.yaml is a recipient policy, not a routes file: give it to the worker as RECIPIENT_POLICY_FILE";
  const looks = "f.yaml looks like a recipient policy (without `kind: recipient-policy` as its first line), not a routes file";
  it.each([
    ["a recipient policy", "kind: recipient-policy\nversion: 1\n", is],
    ["one with a quoted kind and a comment", "kind: 'recipient-policy' # marks it\n", is],
    ["one with a mistyped kind", "kind: recipient_policy\nversion: 1\ncalling_window: {}\n", looks],
    ["one without a kind", "version: 1\nfrequency_cap: { max_calls: 3 }\n", looks],
    ["a routes file", "sources: {}\nroutes: []\n", undefined],
    ["a routes file with a stray policy key", "sources: {}\noverrides: []\n", undefined],
    ["a policy key that is not at the top level", "sources:\n  x:\n    overrides: 1\n", undefined],
    ["an empty file", "", undefined],
  ])("%s", (_why, text, hint) => {
    const said = misplacedPolicyHint("f.yaml", text);
    if (hint === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(hint);
  });
});

describe("loadConfig: the routes file", () => {
  it("reads the example routes file by default", () => {
    expect(loadConfig(minimal).ok).toBe(true);
  });

  it("says first that a recipient policy is the worker's file, and names ROUTES_FILE in every problem", () => {
    const problems = problemsWith(policyExample);
    expect(problems[0]).toBe(
      `ROUTES_FILE: ${policyExample} is a recipient policy, not a routes file: give it to the worker as RECIPIENT_POLICY_FILE; ROUTES_FILE names the routes file (sources and routes)`,
    );
    expect(problems.length).toBeGreaterThan(1);
    for (const problem of problems) expect(problem).toMatch(/^ROUTES_FILE: /);
  });

  it("names ROUTES_FILE in the problems of a bad routes file, without a hint", () => {
    const file = join(dir, "bad-routes.yaml");
    writeFileSync(file, "sources: {}\nroutes:\n  - {name: r, source: x, campaign_id: c, to: p}\n");
    expect(problemsWith(file)).toEqual([`ROUTES_FILE: ${file}: routes[0].source: no source "x" in sources`]);
  });

  it("names ROUTES_FILE when the file cannot be read", () => {
    const file = join(dir, "none.yaml");
    expect(problemsWith(file)).toEqual([expect.stringMatching(/^ROUTES_FILE: .*none\.yaml: cannot read/)]);
  });
});
