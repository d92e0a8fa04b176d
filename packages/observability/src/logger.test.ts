import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, stream };
}

describe("createLogger", () => {
  it("writes JSON lines with the app name and a textual level", () => {
    const out = capture();
    createLogger({ name: "sim", destination: out.stream }).info({ port: 1 }, "listening");
    expect(out.lines()[0]).toMatchObject({ name: "sim", level: "info", port: 1, msg: "listening" });
  });

  it("redacts tokens, secrets, signatures and authorization headers wherever they sit", () => {
    const out = capture();
    createLogger({ name: "t", destination: out.stream }).warn({
      token: "talq_top_secret",
      client: { apiToken: "talq_top_secret" },
      source: { secret: "whsec_abc", signature: "v1,abc" },
      headers: { authorization: "Bearer talq_top_secret", "webhook-signature": "v1,abc" },
    });
    const text = JSON.stringify(out.lines());
    expect(text).not.toContain("talq_top_secret");
    expect(text).not.toContain("whsec_abc");
    expect(text).not.toContain("v1,abc");
    expect(text).toContain("[redacted]");
  });

  it("logs nothing below its level", () => {
    const out = capture();
    createLogger({ name: "t", level: "warn", destination: out.stream }).info("quiet");
    expect(out.lines()).toEqual([]);
  });
});
