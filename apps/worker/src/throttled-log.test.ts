import { Writable } from "node:stream";
import { createLogger } from "@callbridge/observability";
import { describe, expect, it } from "vitest";
import { ThrottledLog } from "./throttled-log.js";

describe("ThrottledLog", () => {
  it("writes a message at most once per interval, then says how many it held back", () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    let now = 0;
    const log = new ThrottledLog(createLogger({ name: "t", level: "info", destination }), 10_000, () => now);
    log.warn("ledger unavailable", { n: 1 });
    log.warn("ledger unavailable", { n: 2 });
    log.warn("ledger unavailable", { n: 3 });
    log.warn("dead-lettered", { n: 4 });
    now = 10_000;
    log.warn("ledger unavailable", { n: 5 });
    expect(lines.map(({ msg, n, moreSinceLast }) => ({ msg, n, moreSinceLast }))).toEqual([
      { msg: "ledger unavailable", n: 1, moreSinceLast: undefined },
      { msg: "dead-lettered", n: 4, moreSinceLast: undefined },
      { msg: "ledger unavailable", n: 5, moreSinceLast: 2 },
    ]);
  });
});
