import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run.js";

const example = new URL("../../../config/routes.example.yaml", import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(args, {
    env: {},
    out: (text) => {
      out += `${text}\n`;
    },
    err: (text) => {
      err += text;
    },
    interactive: false,
    nowMs: () => Date.parse("2026-11-27T12:00:00Z"),
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

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
});
