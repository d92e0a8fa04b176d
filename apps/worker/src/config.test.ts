import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RECIPIENT_POLICY } from "@callbridge/recipient-policy";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

const minimal = { KAFKA_BROKERS: "127.0.0.1:19092", TALKOVER_BASE_URL: "http://127.0.0.1:4010", TALKOVER_API_TOKEN: "talq_test_token" };

describe("loadConfig", () => {
  it("gives sane defaults around the three required settings", () => {
    const loaded = loadConfig(minimal);
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect(loaded.config.limits).toMatchObject({ ratePerSecond: 10, burst: 10, maxConcurrent: 20 });
    expect(loaded.config.topics).toEqual({
      callRequests: "callbridge.call-requests.v1",
      deadLetters: "callbridge.call-requests.v1.dlq",
      callResults: "callbridge.call-results.v1",
    });
    expect(loaded.config.duplicateCallPolicy).toBe("dead_letter");
  });

  it("chooses leases and timeouts so a killed worker's requests move on within 10 s", () => {
    const loaded = loadConfig(minimal);
    if (!loaded.ok) throw new Error(loaded.problems.join());
    const { kafka, claimLeaseMs, slotLeaseMs } = loaded.config;
    expect({ session: kafka.sessionTimeoutMs, heartbeat: kafka.heartbeatIntervalMs, claimLeaseMs, slotLeaseMs }).toEqual({
      session: 6_000,
      heartbeat: 1_000,
      claimLeaseMs: 4_000,
      slotLeaseMs: 3_000,
    });
    // A claim lapses before the group hands its partition to another worker.
    expect(claimLeaseMs).toBeLessThanOrEqual(kafka.sessionTimeoutMs);
    expect(loaded.config.kafka.fetchMaxBytes).toBe(500 * 1024);
  });

  it("refuses leases and heartbeats that do not fit the session timeout", () => {
    const loaded = loadConfig({ ...minimal, CLAIM_LEASE_MS: "7000", CONSUMER_HEARTBEAT_INTERVAL_MS: "2500" });
    expect(loaded).toEqual({
      ok: false,
      problems: [
        "CONSUMER_HEARTBEAT_INTERVAL_MS: CONSUMER_HEARTBEAT_INTERVAL_MS (2500) must be at most a third of CONSUMER_SESSION_TIMEOUT_MS (6000, the default)",
        "CLAIM_LEASE_MS: CLAIM_LEASE_MS (7000) must not be above CONSUMER_SESSION_TIMEOUT_MS (6000, the default)",
      ],
    });
    expect(loadConfig({ ...minimal, CONSUMER_SESSION_TIMEOUT_MS: "3000" })).toEqual({
      ok: false,
      problems: ["CLAIM_LEASE_MS: CLAIM_LEASE_MS (4000, the default) must not be above CONSUMER_SESSION_TIMEOUT_MS (3000)"],
    });
    expect(loadConfig({ ...minimal, ENSURE_TOPICS: "maybe" })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^ENSURE_TOPICS: /)],
    });
    expect(loadConfig({ ...minimal, ENSURE_TOPICS: "false" })).toMatchObject({ ok: true, config: { ensureTopics: false } });
  });

  it("reads per-campaign limits", () => {
    const loaded = loadConfig({ ...minimal, CAMPAIGN_RATE_LIMITS: "a=5:10, b=0.5" });
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect([...loaded.config.limits.campaigns]).toEqual([
      ["a", { ratePerSecond: 5, burst: 10 }],
      ["b", { ratePerSecond: 0.5, burst: 1 }],
    ]);
  });

  it("names every bad setting and never echoes the token", () => {
    const loaded = loadConfig({
      KAFKA_BROKERS: "",
      TALKOVER_API_TOKEN: "sk_live_secret",
      RATE_LIMIT_PER_SECOND: "-1",
      CAMPAIGN_RATE_LIMITS: "oops",
      BACKOFF_BASE_MS: "5000",
      BACKOFF_MAX_MS: "100",
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    const text = loaded.problems.join("\n");
    for (const name of [
      "KAFKA_BROKERS",
      "TALKOVER_BASE_URL",
      "TALKOVER_API_TOKEN",
      "RATE_LIMIT_PER_SECOND",
      "CAMPAIGN_RATE_LIMITS",
      "BACKOFF_MAX_MS",
    ]) {
      expect(text).toMatch(new RegExp(`^${name}: `, "m"));
    }
    expect(text).not.toContain("sk_live_secret");
  });

  it("parks draft and paused campaigns by default, defers waits from 15 s, and reads the parking settings", () => {
    const loaded = loadConfig(minimal);
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect(loaded.config.deferAboveMs).toBe(15_000);
    expect(loaded.config.park).toEqual({
      statuses: new Set(["draft", "paused"]),
      pollIntervalMs: 30_000,
      maxAgeMs: 604_800_000,
      pollsPerSecond: 5,
    });
    const off = loadConfig({ ...minimal, PARK_CAMPAIGN_STATUSES: "" });
    expect(off.ok && off.config.park.statuses.size).toBe(0);
    // Short caps with the default DEFER_ABOVE_MS: nothing waits long enough to defer, and that is fine.
    expect(loadConfig({ ...minimal, RETRY_AFTER_MAX_MS: "2000", BACKOFF_MAX_MS: "200", BACKOFF_BASE_MS: "20" }).ok).toBe(true);
  });

  it.each([
    [{ PARK_CAMPAIGN_STATUSES: "active" }, '^PARK_CAMPAIGN_STATUSES: "active" is not a status that can park'],
    [{ PARK_POLL_INTERVAL_MS: "500" }, "^PARK_POLL_INTERVAL_MS: must be a whole number of ms of at least 1000$"],
    [{ DEFER_ABOVE_MS: "0" }, "^DEFER_ABOVE_MS: must be a whole number of ms of at least 1000$"],
    [
      { DEFER_ABOVE_MS: "1000000" },
      "^DEFER_ABOVE_MS: DEFER_ABOVE_MS \\(1000000\\) is above the longest wait, RETRY_AFTER_MAX_MS \\(900000, the default\\)",
    ],
    [{ PARK_POLLS_PER_SECOND: "0" }, "^PARK_POLLS_PER_SECOND: "],
  ])("refuses %o with one problem that says why", (env, problem) => {
    const loaded = loadConfig({ ...minimal, ...env });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatch(new RegExp(problem));
  });

  it("has the recipient guard on with the default policy; reads a policy file; names the file, the path in it and the reason when it is wrong", () => {
    const loaded = loadConfig(minimal);
    if (!loaded.ok) throw new Error(loaded.problems.join());
    expect(loaded.config.recipients).toMatchObject({ policyOn: true, policy: DEFAULT_RECIPIENT_POLICY });
    const off = loadConfig({ ...minimal, RECIPIENT_GUARD: "off" });
    expect(off.ok && off.config.recipients.policyOn).toBe(false);
    expect(loadConfig({ ...minimal, RECIPIENT_GUARD: "maybe" })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining("RECIPIENT_GUARD")],
    });

    const dir = mkdtempSync(join(tmpdir(), "worker-policy-"));
    const good = join(dir, "good.yaml");
    writeFileSync(good, "kind: recipient-policy\nversion: 1\ncooldown_minutes: 30\n");
    const read = loadConfig({ ...minimal, RECIPIENT_POLICY_FILE: good });
    expect(read.ok && read.config.recipients).toMatchObject({ policyFile: good, policy: { cooldown_minutes: 30 } });
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, 'kind: recipient-policy\nversion: 1\ncalling_window:\n  hours: [{ days: [mon], from: "21:00", to: "08:00" }]\n');
    const refused = loadConfig({ ...minimal, RECIPIENT_POLICY_FILE: bad });
    expect(refused.ok).toBe(false);
    const problems = refused.ok ? [] : refused.problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem).toMatch(/^RECIPIENT_POLICY_FILE: .*bad\.yaml/);
    expect(problems.join("\n")).toContain("calling_window.hours[0]");
    const missing = loadConfig({ ...minimal, RECIPIENT_POLICY_FILE: join(dir, "none.yaml") });
    expect(missing).toMatchObject({ ok: false, problems: [expect.stringMatching(/^RECIPIENT_POLICY_FILE: .*none\.yaml/)] });
  });
});
