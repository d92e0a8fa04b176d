import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FileLook, lookOf, policyHint } from "./config-check.js";
import { runCallbridge } from "./test-support/run-cli.js";

const example = new URL("../../../config/routes.example.yaml", import.meta.url).pathname;

const cli = (args: string[]) => runCallbridge(args, { nowMs: () => Date.parse("2026-11-27T12:00:00Z") });

describe("callbridge config check", () => {
  it("validates the example file and lists its sources and routes", async () => {
    const run = await cli(["config", "check", example]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("is valid");
    expect(run.out).toMatch(/salesforce\s+salesforce-outbound\s+\/webhooks\/salesforce/);
  });

  it("shows what a sample event would produce, phone masked", async () => {
    const event = join(tmpdir(), `event-${process.pid}.json`);
    writeFileSync(event, JSON.stringify({ type: "call.requested", data: { phone: "+1 415 555 0142", name: "Ada" } }));
    const run = await cli(["--json", "config", "check", example, "--source", "standard", "--event", event]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.out) as { outcomes: { kind: string; request: { to: string; payload: unknown } }[] };
    expect(result.outcomes).toEqual([
      expect.objectContaining({
        kind: "call",
        request: expect.objectContaining({ to: "+1415*****42", payload: { customer_name: "Ada" } }),
      }),
    ]);
  });

  it("prints the masked --json as indented lines, one value a line", async () => {
    const event = join(tmpdir(), `event-lines-${process.pid}.json`);
    writeFileSync(event, JSON.stringify({ type: "call.requested", data: { phone: "+1 415 555 0142", name: "Ada" } }));
    const run = await cli(["--json", "config", "check", example, "--source", "standard", "--event", event]);
    expect(run.out).toContain('\n  "valid": true,\n');
    expect(run.out).toContain('"to": "+1415*****42"\n');
  });

  it("reports every problem of a bad file and exits 1", async () => {
    const file = join(tmpdir(), `bad-routes-${process.pid}.yaml`);
    writeFileSync(file, "sources: {}\nroutes:\n  - {name: r, source: x, campaign_id: c, to: p, default_country: ZZ}\n");
    const run = await cli(["config", "check", file]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`${file}: routes[0].source: no source "x" in sources`);
    expect(run.out).toContain(`${file}: routes[0].default_country:`);
    expect(run.err).toBe(`callbridge: ${file} is not valid (2 problems)\n`);
  });

  it("needs --source with --event", async () => {
    const run = await cli(["config", "check", example, "--event", "/dev/null"]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--event needs --source");
  });

  describe("with opt-outs", () => {
    const file = join(tmpdir(), `opt-out-routes-${process.pid}.yaml`);
    writeFileSync(
      file,
      [
        "sources:",
        "  crm: {kind: hubspot, client_secret: hubspot-client-secret}",
        "routes:",
        "  - {name: call, source: crm, when: {type: call}, campaign_id: c, to: phone, default_country: US}",
        "opt_outs:",
        "  - {name: do-not-call, source: crm, when: {do_not_call: 'true'}, to: phone, default_country: US}",
        "",
      ].join("\n"),
    );
    const event = join(tmpdir(), `opt-out-event-${process.pid}.json`);
    writeFileSync(
      event,
      JSON.stringify([
        { do_not_call: "true", phone: "(415) 555-0142" },
        { do_not_call: "true", phone: "12" },
      ]),
    );

    it("lists the file's opt-outs", async () => {
      const run = await cli(["config", "check", file]);
      expect(run.code).toBe(0);
      expect(run.out).toMatch(/do-not-call\s+crm\s+phone/);
      expect(run.out).toContain("opt-outs need REDIS_URL");
    });

    it("shows that an event would suppress its number, masked, and an unusable one would be dead-lettered", async () => {
      const run = await cli(["config", "check", file, "--source", "crm", "--event", event]);
      expect(run.code).toBe(0);
      expect(run.out).toContain("opt-out do-not-call -> suppress +1415*****42: put on the do-not-call list, never called");
      expect(run.out).toContain("opt-out do-not-call -> dead letter invalid_phone: no valid phone number at phone (1 candidate rejected)");
      expect(run.out).not.toContain("4155550142");
    });

    it("gives the opt-out outcomes in --json, masked", async () => {
      const run = await cli(["--json", "config", "check", file, "--source", "crm", "--event", event]);
      const result = JSON.parse(run.out) as { outcomes: { kind: string; route: string; to?: string }[] };
      expect(result.outcomes.map((o) => [o.kind, o.route])).toEqual([
        ["opt_out", "do-not-call"],
        ["opt_out_invalid_phone", "do-not-call"],
      ]);
      expect(result.outcomes[0]?.to).toBe("+1415*****42");
    });
  });
});

describe("lookOf: what a file read as a routes file looks like", () => {
  it.each<[string, string, FileLook]>([
    ["an empty file", "", { kind: "empty" }],
    ["blank lines", "\n  \n\t\n", { kind: "empty" }],
    ["comments only", "# routes\n  # nothing yet\n", { kind: "empty" }],
    ["document markers and comments", "\uFEFF--- # start\n# none\n...\n", { kind: "empty" }],
    ["a routes file", "sources: {}\nroutes: []\n", { kind: "other" }],
    ["a routes file with a stray policy key", "sources: {}\noverrides: []\n", { kind: "other" }],
    ["a mistyped kind", "kind: recipient_policy\nversion: 1\n", { kind: "policy", keys: ["version"], kindValue: "recipient_policy" }],
    [
      "a quoted kind with a comment",
      "kind: 'Recipient-Policies' # what it is\ncalling_window: {}\n",
      { kind: "policy", keys: ["calling_window"], kindValue: "Recipient-Policies" },
    ],
    [
      "no kind but policy keys",
      "version: 1\nfrequency_cap:\n  max_calls: 3\noverrides: []\n",
      { kind: "policy", keys: ["version", "frequency_cap", "overrides"], kindValue: undefined },
    ],
    ["a kind that names a policy, nothing else", "kind: policy\n", { kind: "policy", keys: [], kindValue: "policy" }],
    ["an indented policy key is not top level", "other:\n  calling_window: {}\n", { kind: "other" }],
    ["some other kind of file", "kind: Deployment\napiVersion: apps/v1\n", { kind: "other" }],
    ["a YAML list", "- a\n- b\n", { kind: "other" }],
  ])("%s", (_why, text, look) => {
    expect(lookOf(text)).toEqual(look);
  });
});

describe("policyHint", () => {
  it.each([
    [
      { kind: "policy", keys: ["version", "calling_window"], kindValue: "recipient_policy" },
      'this looks like a recipient policy (it has version, calling_window), not a routes file, but its kind is "recipient_policy": make its first line `kind: recipient-policy`',
    ],
    [
      { kind: "policy", keys: ["calling_window", "frequency_cap", "cooldown_minutes", "overrides"], kindValue: undefined },
      "this looks like a recipient policy (it has calling_window, frequency_cap, cooldown_minutes, ...), not a routes file, but it has no kind: make its first line `kind: recipient-policy` and add `version: 1`",
    ],
    [
      { kind: "policy", keys: [], kindValue: "policy" },
      'this looks like a recipient policy, not a routes file, but its kind is "policy": make its first line `kind: recipient-policy` and add `version: 1`',
    ],
    [
      { kind: "policy", keys: ["version"], kindValue: "recipient-policy" },
      "this is a recipient policy (kind: recipient-policy), but not valid YAML, so it was checked as a routes file: fix the YAML problems below",
    ],
  ] as const)("%j", (look, hint) => {
    expect(policyHint(look)).toBe(hint);
  });
});

describe("callbridge config check: a file that is not what it seems", () => {
  const dir = mkdtempSync(join(tmpdir(), "config-check-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const policyExample = readFileSync(new URL("../../../config/recipient-policy.example.yaml", import.meta.url), "utf8");
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("says a recipient policy with a mistyped kind looks like one, first, and how to fix it", async () => {
    const path = file("typo.yaml", policyExample.replace("kind: recipient-policy", "kind: recipient_policy"));
    const run = await cli(["config", "check", path]);
    expect(run.code).toBe(1);
    const [first, ...rest] = run.out.trim().split("\n");
    expect(first).toBe(
      `${path}: this looks like a recipient policy (it has version, calling_window, testing_bypasses_window, ...), not a routes file, but its kind is "recipient_policy": make its first line \`kind: recipient-policy\``,
    );
    expect(rest.every((line) => line.startsWith(`${path}: `))).toBe(true);
    expect(run.err).toBe(
      `callbridge: ${path} is not valid as a routes file (2 problems): it looks like a recipient policy (see the first line)\n`,
    );
  });

  it("says so for a recipient policy without a kind, also in --json", async () => {
    const path = file("no-kind.yaml", policyExample.replace(/^kind: .*\n/m, ""));
    const run = await cli(["--json", "config", "check", path]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.out) as { valid: boolean; hint: string; problems: string[] };
    expect(result.valid).toBe(false);
    expect(result.hint).toContain("looks like a recipient policy");
    expect(result.hint).toContain("it has no kind: make its first line `kind: recipient-policy`");
    expect(result.problems.length).toBeGreaterThan(0);
  });

  it.each([
    ["empty", ""],
    ["comment-only", "# routes go here\n\n"],
  ])("says an %s file is empty, not that null is not an object", async (_why, text) => {
    const path = file(`${_why}.yaml`, text);
    const run = await cli(["config", "check", path]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`${path}: the file is empty`);
    expect(run.out).not.toContain("null");
    expect(run.err).toBe(`callbridge: ${path} is not valid: the file is empty\n`);
  });

  it("says a missing file cannot be read, without calling it a routes file", async () => {
    const path = join(dir, "missing.yaml");
    const run = await cli(["config", "check", path]);
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toBe(`callbridge: cannot read ${path}: no such file or directory\n`);
  });

  it("adds no hint to a routes file with ordinary problems", async () => {
    const path = file("routes.yaml", "sources: {}\nroutes:\n  - {name: r, source: x, campaign_id: c, to: p}\n");
    const run = await cli(["config", "check", path]);
    expect(run.out.trim()).toBe(`${path}: routes[0].source: no source "x" in sources`);
    expect(run.err).toBe(`callbridge: ${path} is not valid (1 problem)\n`);
  });
});
