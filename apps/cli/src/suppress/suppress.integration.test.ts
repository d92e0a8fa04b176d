import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { afterAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import { callbridge, databaseUrl, listClient } from "./test-support/run.js";

// Against a real Redis (its database 11, this file's own): the commands run in-process as
// main.ts runs them, and the list is read back with a plain client.

const url = databaseUrl(inject("redisUrl"), 11);
const { redis, entries } = listClient(url);
const NOW = "2026-03-01T12:00:00.000Z";
const dir = mkdtempSync(join(tmpdir(), "callbridge-suppress-"));
/** Whole numbers in the numbers these tests use; none may appear where output is masked. */
const WHOLE_NUMBER = /555[ -]?01\d\d/;

beforeEach(async () => {
  await redis.del(SUPPRESSION_LIST_KEY);
});

afterAll(async () => {
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

const suppress = (...args: string[]) => callbridge(["suppress", ...args, "--redis", url]);
const entry = (reason: string, source: string, addedAt = NOW) => ({ reason, source, added_at: addedAt });
const seed = (number: string, value: object | string) =>
  redis.hset(SUPPRESSION_LIST_KEY, number, typeof value === "string" ? value : JSON.stringify(value));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("suppress add", () => {
  it("adds numbers read like routed ones, reports each masked, names a bad one with why, and fails (exit 1)", async () => {
    const run = await suppress(
      "add",
      "+1 415 555 0101",
      "(415) 555-0102",
      "\u202A+1 415 555 0103\u202C",
      "+1 415 555 01",
      "--default-country",
      "us",
    );
    expect(run.out.split("\n")).toEqual([
      "+1415*****01 added (do_not_call)",
      "+1415*****02 added (do_not_call)",
      "+1415*****03 added (do_not_call)",
      'argument 4 ("+1 415 *** 01"): too short for its country; not added',
    ]);
    expect(run.err).toBe("callbridge: 1 of 4 arguments was refused (named above); of the other 3: 3 added\n");
    expect(run.code).toBe(1);
    expect(await entries()).toEqual({
      "+14155550101": entry("do_not_call", "cli"),
      "+14155550102": entry("do_not_call", "cli"),
      "+14155550103": entry("do_not_call", "cli"),
    });
  });

  it("keeps the entry of a number listed already (reason, source, added_at) and says so; --json", async () => {
    await seed("+14155550101", entry("do_not_call", "import", "2025-01-01T00:00:00.000Z"));
    const run = await callbridge(["--json", "suppress", "add", "+14155550101", "+14155550104", "--reason", "opt_out", "--redis", url]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({
      key: SUPPRESSION_LIST_KEY,
      added: [{ number: "+1415*****04", reason: "opt_out" }],
      already_listed: [{ number: "+1415*****01", reason: "do_not_call", source: "import", added_at: "2025-01-01T00:00:00.000Z" }],
      bad: [],
    });
    expect(await entries()).toEqual({
      "+14155550101": entry("do_not_call", "import", "2025-01-01T00:00:00.000Z"),
      "+14155550104": entry("opt_out", "cli"),
    });
  });

  it("a national number needs --default-country: named, nothing written", async () => {
    const run = await suppress("add", "(415) 555-0102");
    expect(run.code).toBe(1);
    expect(run.out).toBe(
      'argument 1 ("(415) ***-**02"): no country code: write it as +<country code>..., or give --default-country; not added',
    );
    expect(run.err).toBe(
      "callbridge: the argument was refused (named above); nothing was added (it is written without +country code: give --default-country, such as --default-country US)\n",
    );
    expect(await entries()).toEqual({});
  });

  it("counts exactly what became of each argument: added, already listed, repeated, refused (a national one with a hint)", async () => {
    await seed("+14155550101", entry("do_not_call", "import", "2025-01-01T00:00:00.000Z"));
    const run = await suppress("add", "+14155550101", "+14155550104", "(415) 555-0105", "call me", "+1 415 555 0104");
    expect(run.code).toBe(1);
    expect(run.out.split("\n")).toEqual([
      "+1415*****04 added (do_not_call)",
      "+1415*****01 already listed, kept as it was (do_not_call, source import, added 2025-01-01T00:00:00.000Z)",
      'argument 3 ("(415) ***-**05"): no country code: write it as +<country code>..., or give --default-country; not added',
      'argument 4 ("call me"): not a phone number; not added',
    ]);
    expect(run.err).toBe(
      "callbridge: 2 of 5 arguments were refused (named above); of the other 3: 1 added, 1 already listed (kept as it was), 1 repeated (one is written without +country code: give --default-country, such as --default-country US)\n",
    );
  });

  it("says nothing was added when every argument is refused", async () => {
    const run = await suppress("add", "call me", "+1 415 555 01");
    expect(run.code).toBe(1);
    expect(run.err).toBe("callbridge: 2 of 2 arguments were refused (named above); nothing was added\n");
    expect(await entries()).toEqual({});
  });

  it("an unknown --default-country or --reason is a usage error (exit 2)", async () => {
    expect((await suppress("add", "4155550102", "--default-country", "XX")).code).toBe(2);
    const run = await suppress("add", "+14155550102", "--reason", "angry");
    expect(run.code).toBe(2);
    expect(run.err).toContain("Allowed choices are do_not_call, opt_out");
    expect(await entries()).toEqual({});
  });
});

describe("suppress remove", () => {
  it("removes listed numbers and says which were not listed, masked", async () => {
    await seed("+14155550101", entry("opt_out", "route:hubspot"));
    await seed("+19995550123", entry("do_not_call", "cli"));
    const run = await suppress("remove", "+1 415 555 0101", "+14155550102", "+1 999 555 0123");
    expect(run.code).toBe(0);
    expect(run.out.split("\n")).toEqual(["+1415*****01 removed", "+1999*****23 removed", "+1415*****02 was not listed"]);
    expect(await entries()).toEqual({});
  });
});

describe("suppress list", () => {
  beforeEach(async () => {
    await seed("+14155550101", entry("do_not_call", "cli"));
    await seed("+442079460958", entry("opt_out", "route:hubspot-optout", "2025-12-24T08:00:00.000Z"));
    await seed("+14155550102", "not json");
  });

  it("every entry, numbers masked, then the count", async () => {
    const run = await suppress("list");
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    expect(lines[0]).toMatch(/^NUMBER\s+REASON\s+ADDED AT\s+SOURCE$/);
    expect(lines.slice(1, 4).sort()).toEqual([
      "+1415*****01      do_not_call  2026-03-01T12:00:00.000Z  cli",
      "+1415*****02      ?            ?                         (an entry this CLI cannot read; the number is listed)",
      "+4420******58     opt_out      2025-12-24T08:00:00.000Z  route:hubspot-optout",
    ]);
    expect(lines.slice(4)).toEqual(["", `3 numbers on the do-not-call list (${SUPPRESSION_LIST_KEY})`]);
    expect(run.out).not.toMatch(WHOLE_NUMBER);
    expect(run.out).not.toContain("2079460958");
  });

  it("--reveal shows whole numbers", async () => {
    const run = await suppress("list", "--reveal");
    expect(run.out).toContain("+14155550101      do_not_call");
    expect(run.out).toContain("+442079460958     opt_out");
  });

  it("--json is one document with the count at the end, masked", async () => {
    const run = await callbridge(["--json", "suppress", "list", "--redis", url]);
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.out) as { key: string; entries: { number: string }[]; count: number };
    expect(listed.count).toBe(3);
    expect(listed.entries.map((e) => e.number).sort()).toEqual(["+1415*****01", "+1415*****02", "+4420******58"]);
    expect(listed.entries).toContainEqual({ number: "+1415*****02", reason: null, source: null, added_at: null });
    expect(run.out).not.toMatch(WHOLE_NUMBER);
  });

  it("an empty list says so", async () => {
    await redis.del(SUPPRESSION_LIST_KEY);
    const run = await suppress("list");
    expect(run.out.split("\n").slice(1)).toEqual(["", `0 numbers on the do-not-call list (${SUPPRESSION_LIST_KEY})`]);
  });
});

describe("the list's Redis", () => {
  it("without --redis or REDIS_URL: exit 2, saying why", async () => {
    vi.stubEnv("REDIS_URL", undefined);
    try {
      const run = await callbridge(["suppress", "list"]);
      expect(run.code).toBe(2);
      expect(run.err).toBe(
        `callbridge: suppress list needs Redis (--redis <url> or REDIS_URL): the do-not-call list lives in the Redis the workers share (${SUPPRESSION_LIST_KEY})\n`,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("unreachable: one line naming where and which setting, never the password (exit 1)", async () => {
    const run = await callbridge(["suppress", "add", "+14155550101", "--redis", "redis://:s3cret@127.0.0.1:1"]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^callbridge: cannot reach Redis at 127\.0\.0\.1:1 \(--redis\): [^\n]+\n$/);
    expect(run.err).not.toContain("s3cret");
    vi.stubEnv("REDIS_URL", "redis://127.0.0.1:1");
    try {
      const fromEnv = await callbridge(["suppress", "export"]);
      expect(fromEnv.code).toBe(1);
      expect(fromEnv.err).toMatch(/^callbridge: cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\): /);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("REDIS_URL is read when --redis is not given", async () => {
    vi.stubEnv("REDIS_URL", url);
    try {
      const run = await callbridge(["suppress", "add", "+14155550101"]);
      expect(run.code).toBe(0);
      expect(await entries()).toEqual({ "+14155550101": entry("do_not_call", "cli") });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("suppress export", () => {
  it("CSV with the header and whole numbers on stdout, the count on stderr", async () => {
    await seed("+14155550101", entry("do_not_call", "cli"));
    await seed("+14155550102", entry("opt_out", 'route:crm, "eu"'));
    const run = await suppress("export");
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    expect(lines[0]).toBe("number,reason,source,added_at");
    expect(lines.slice(1).sort()).toEqual([`+14155550101,do_not_call,cli,${NOW}`, `+14155550102,opt_out,"route:crm, ""eu""",${NOW}`]);
    expect(run.err).toBe(`2 numbers exported from ${SUPPRESSION_LIST_KEY}\n`);
  });

  it("into a pipe closed early (`| head -2`): ends quietly with exit 0", async () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => [`+1415${2_000_000 + i}`, JSON.stringify(entry("do_not_call", "cli"))]);
    await redis.hset(SUPPRESSION_LIST_KEY, Object.fromEntries(numbers));
    const main = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
    const child = spawn(process.execPath, [main, "suppress", "export", "--redis", url], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    child.stdout.destroy();
    const [code] = await exited;
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("--out into a folder that does not exist: one clear line (exit 1)", async () => {
    const run = await suppress("export", "--out", join(dir, "missing", "list.csv"));
    expect(run.code).toBe(1);
    expect(run.err).toBe(`callbridge: cannot write ${join(dir, "missing", "list.csv")}: no such file or directory\n`);
  });

  it("round trip: an export imported into an empty list restores every entry as it was", async () => {
    await suppress("add", "+14155550101", "+442079460958");
    await seed("+14155550102", entry("opt_out", "route:hubspot-optout", "2025-12-24T08:00:00.000+01:00"));
    await seed("+14155550103", entry("do_not_call", 'odd; "source"\tx', "2024-06-01T00:00:00.000Z"));
    const before = await entries();
    const out = join(dir, "export.csv");
    const exported = await suppress("export", "--out", out);
    expect(exported.out).toBe(`4 numbers exported from ${SUPPRESSION_LIST_KEY} to ${out}`);
    await redis.del(SUPPRESSION_LIST_KEY);
    const imported = await suppress("import", out, "--reason", "opt_out");
    expect(imported.code).toBe(0);
    expect(imported.out).toContain("4 added");
    expect(await entries()).toEqual(before);
  });
});

describe("suppress import, what cannot be read", () => {
  it("a missing file or a directory: one clear line (exit 1)", async () => {
    const missing = join(dir, "nope.csv");
    expect(await suppress("import", missing)).toMatchObject({
      code: 1,
      err: `callbridge: cannot read ${missing}: no such file or directory\n`,
    });
    expect(await suppress("import", dir)).toMatchObject({ code: 1, err: `callbridge: cannot read ${dir}: it is a directory\n` });
  });

  it("a quote never closed: the lines before are imported, the line is named (exit 1)", async () => {
    const path = file("unclosed.csv", '+14155550101\n+14155550102\n"+14155550103\n+14155550104\n');
    const run = await suppress("import", path);
    expect(run.code).toBe(1);
    expect(run.err).toBe(
      `callbridge: ${path}: line 3: a quote opened on this line is never closed; nothing from there on was imported, the 2 numbers added before it are listed\n`,
    );
    expect(Object.keys(await entries()).sort()).toEqual(["+14155550101", "+14155550102"]);
  });
});
