import { spawn } from "node:child_process";
import { EventEmitter, once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isClosedPipe, pipeOutput } from "./pipe-output.js";

/** A stream that records what is written and fails when the test says. */
class FakeStream extends EventEmitter {
  readonly written: string[] = [];
  destroyed = false;

  write(text: string): boolean {
    this.written.push(text);
    return true;
  }

  fail(code: string): void {
    this.destroyed = true;
    this.emit("error", Object.assign(new Error(`write ${code}`), { code }));
  }
}

describe("isClosedPipe", () => {
  it.each([
    [{ code: "EPIPE" }, true],
    [Object.assign(new Error("write EPIPE"), { code: "EPIPE" }), true],
    [{ code: "ENOSPC" }, false],
    [{ code: "EIO" }, false],
    [new Error("EPIPE"), false],
    [undefined, false],
  ])("%j -> %s", (error, closed) => {
    expect(isClosedPipe(error)).toBe(closed);
  });
});

describe("pipeOutput", () => {
  it("writes until the reader goes away, then says so once and drops the rest", () => {
    const stream = new FakeStream();
    let closings = 0;
    const output = pipeOutput(stream, () => {
      closings += 1;
    });
    output.write("a\n");
    expect(output.closed()).toBe(false);
    stream.fail("EPIPE");
    output.write("b\n");
    stream.emit("error", Object.assign(new Error("write after end"), { code: "ERR_STREAM_DESTROYED" }));
    expect(stream.written).toEqual(["a\n"]);
    expect(output.closed()).toBe(true);
    expect(closings).toBe(1);
  });

  it("leaves other write errors to fail as before", () => {
    const stream = new FakeStream();
    const output = pipeOutput(stream, () => {
      throw new Error("not a closed pipe");
    });
    expect(() => stream.fail("ENOSPC")).toThrow("write ENOSPC");
    expect(output.closed()).toBe(false);
  });
});

describe("node dist/main.js with its stdout closed early (`| head -2`)", () => {
  const entry = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
  const routes = fileURLToPath(new URL("../../../../config/routes.example.yaml", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "callbridge-pipe-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("ends quietly with exit 0 instead of an EPIPE stack trace", async () => {
    // Thousands of outcomes: far more output than a pipe holds, so writes go on after the reader left.
    const events = join(dir, "events.json");
    const event = { type: "call.requested", data: { phone: "+1 415 555 0142", name: "Ada" } };
    writeFileSync(events, JSON.stringify(Array.from({ length: 5_000 }, () => event)));
    const child = spawn(process.execPath, [entry, "config", "check", routes, "--source", "standard", "--event", events], {
      stdio: ["ignore", "pipe", "pipe"],
    });
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
});
