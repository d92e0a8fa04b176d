import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SUPPRESSION_LIST_KEY } from "@callbridge/schemas";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";
import { PROGRESS_EVERY_MS } from "./progress.js";
import { callbridge, databaseUrl, listClient } from "./test-support/run.js";

// `suppress import` against a real Redis (its database 12, this file's own).

const url = databaseUrl(inject("redisUrl"), 12);
const { redis, entries } = listClient(url);
const NOW = "2026-03-01T12:00:00.000Z";
const dir = mkdtempSync(join(tmpdir(), "callbridge-import-"));

beforeEach(async () => {
  await redis.del(SUPPRESSION_LIST_KEY);
});

afterAll(async () => {
  await redis.quit();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const entry = (reason: string, source = "import", addedAt = NOW) => ({ reason, source, added_at: addedAt });

/** A CRM export as people hand them over: a header, quoting, blank lines, junk, repeats, invisible marks, Windows line ends. */
const MIXED = [
  "Phone,Name", // 1: header
  '"+1 (415) 555-0111","Doe, Jane"', // 2: quoted, a comma in the next cell
  "", // 3: blank
  "+1 415 555 0112", // 4
  "\u200B+1\u00A0415\u00A0555\u00A00113\u200E", // 5: zero-width space, NBSPs, a bidi mark
  "＋１ ４１５ ５５５ ０１１４", // 6: fullwidth
  "(415) 555-0115", // 7: national, --default-country US
  "+1 415 555 01", // 8: bad, too short
  '"+14155550116","a note', // 9: a cell running on to line 10
  'over two lines"', // 10
  "not a number", // 11: bad
  "+1-415-555-0112", // 12: line 4 again
  "+14155550199", // 13: listed already
  ",only a name", // 14: bad, no number
  '"+1 415 555 0117"', // 15
  "   ", // 16: blank
].join("\r\n");

describe("suppress import", () => {
  it("a mixed file: header, quoting, blank and bad lines (by line number), repeats, invisible marks", async () => {
    await redis.hset(SUPPRESSION_LIST_KEY, "+14155550199", JSON.stringify(entry("opt_out", "route:crm", "2025-01-01T00:00:00.000Z")));
    const path = file("mixed.csv", MIXED);
    const run = await callbridge(["suppress", "import", path, "--default-country", "US", "--redis", url]);
    expect(run.out.split("\n")).toEqual([
      'line 1 is the header ("Phone,Name")',
      'line 8 ("+1 415 *** 01"): too short for its country; skipped',
      'line 11 ("not a number"): not a phone number; skipped',
      "line 14: the first column is empty (a line starting with a separator); skipped",
      `imported ${path} into ${SUPPRESSION_LIST_KEY} in 0 s: 16 lines, 7 added, 1 already listed (kept as they were), 1 repeated in the file, 3 bad lines skipped`,
    ]);
    expect(run.err).toBe(`callbridge: 3 bad lines of ${path} skipped (named above); every other number is on the list\n`);
    expect(run.code).toBe(1);
    expect(await entries()).toEqual({
      "+14155550111": entry("do_not_call"),
      "+14155550112": entry("do_not_call"),
      "+14155550113": entry("do_not_call"),
      "+14155550114": entry("do_not_call"),
      "+14155550115": entry("do_not_call"),
      "+14155550116": entry("do_not_call"),
      "+14155550117": entry("do_not_call"),
      "+14155550199": entry("opt_out", "route:crm", "2025-01-01T00:00:00.000Z"),
    });
  });

  it("importing the same file again changes nothing: all already listed", async () => {
    const path = file("again.csv", "number\n+14155550111\n+14155550112\n");
    expect((await callbridge(["suppress", "import", path, "--redis", url])).code).toBe(0);
    const before = await entries();
    const run = await callbridge(["suppress", "import", path, "--reason", "opt_out", "--redis", url], { now: Date.parse(NOW) + 60_000 });
    expect(run.code).toBe(0);
    expect(run.out).toContain(": 3 lines, 0 added, 2 already listed (kept as they were), 0 repeated in the file, 0 bad lines skipped");
    expect(await entries()).toEqual(before);
  });

  it("reads reasons as people write them, names the lines whose reason it did not understand, and a line starting with a tab", async () => {
    const path = file(
      "reasons.csv",
      [
        "number,reason",
        "+14155550121,opt-out",
        "+14155550122,Opt Out",
        "+14155550123,DNC",
        "+14155550124,unsubscribed",
        "\t+14155550125",
      ].join("\n"),
    );
    const run = await callbridge(["suppress", "import", path, "--redis", url]);
    expect(run.out.split("\n")).toEqual([
      'line 1 is the header ("number,reason")',
      "line 6: the first column is empty (a line starting with a separator); the number (column 2) must be in the first column; skipped",
      `imported ${path} into ${SUPPRESSION_LIST_KEY} in 0 s: 6 lines, 4 added, 0 already listed (kept as they were), 0 repeated in the file, 1 bad lines skipped`,
      "the reason of line 5 was not understood (the list takes do_not_call or opt_out; opt-out, optout, do-not-call and dnc are read as those); it took --reason do_not_call",
    ]);
    expect(run.code).toBe(1);
    expect(await entries()).toEqual({
      "+14155550121": entry("opt_out"),
      "+14155550122": entry("opt_out"),
      "+14155550123": entry("do_not_call"),
      "+14155550124": entry("do_not_call"),
    });
  });

  it("--json: the summary as one document, bad lines in it", async () => {
    const path = file("json.csv", "+14155550111\n+14155550111\nnope\n");
    const run = await callbridge(["--json", "suppress", "import", path, "--reason", "opt_out", "--redis", url]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.out)).toEqual({
      file: path,
      key: SUPPRESSION_LIST_KEY,
      lines: 3,
      added: 1,
      already_listed: 0,
      duplicates: 1,
      bad_lines: [{ line: 3, text: "nope", problem: "not a phone number" }],
      defaulted: 0,
      defaulted_lines: { reason: [], source: [], added_at: [] },
      seconds: 0,
    });
    expect(await entries()).toEqual({ "+14155550111": entry("opt_out") });
  });

  it("progress on stderr: whole lines into a pipe, a line redrawn in place on a terminal", async () => {
    const path = file("progress.csv", numbers(3_000));
    const clock = (stepMs: number) => {
      let now = Date.parse(NOW);
      return () => (now += stepMs);
    };
    const piped = await callbridge(["suppress", "import", path, "--redis", url], { nowMs: clock(PROGRESS_EVERY_MS.log) });
    expect(piped.code).toBe(0);
    expect(piped.err).toMatch(/^(importing \S+: [\d,]+ lines read, [\d,]+ added, [\d,]+ already listed, 0 bad\n)+$/);
    expect(piped.err).toContain("lines read, 3,000 added");
    await redis.del(SUPPRESSION_LIST_KEY);
    const terminal = await callbridge(["suppress", "import", path, "--redis", url], {
      interactive: true,
      nowMs: clock(PROGRESS_EVERY_MS.terminal),
    });
    // ESC spelled out, so the pattern holds no control character.
    expect(terminal.err.replaceAll("\u001b", "<ESC>")).toMatch(
      /^(\rimporting \S+: [\d,]+ lines read, [\d,]+ added, [\d,]+ already listed, 0 bad<ESC>\[K)+\r<ESC>\[K$/,
    );
  });

  it("100,000 numbers: every one lands, once", async () => {
    const path = file("100k.csv", `number\n${numbers(100_000)}`);
    const run = await callbridge(["suppress", "import", path, "--redis", url]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      ": 100,001 lines, 100,000 added, 0 already listed (kept as they were), 0 repeated in the file, 0 bad lines skipped",
    );
    expect(await redis.hlen(SUPPRESSION_LIST_KEY)).toBe(100_000);
    const sample = await redis.hmget(SUPPRESSION_LIST_KEY, "+14152000000", "+14152049999", "+14152099999");
    expect(sample.map((value) => JSON.parse(value ?? "null"))).toEqual([entry("do_not_call"), entry("do_not_call"), entry("do_not_call")]);
  });
});

/** `count` distinct valid US numbers, one a line: +1 415 200 0000 upwards. */
function numbers(count: number): string {
  return Array.from({ length: count }, (_, i) => `+1415${2_000_000 + i}`).join("\n");
}
