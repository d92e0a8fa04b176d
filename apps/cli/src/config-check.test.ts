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
