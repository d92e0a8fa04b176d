import { execFile, execFileSync } from "node:child_process";

export function kcatAvailable(): boolean {
  try {
    execFileSync("kcat", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function kcat(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("kcat", args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kcat ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Produces `key:value` lines, each with the given headers, as an independent client would. */
export function kcatProduce(brokers: string, topic: string, lines: string[], headers: Record<string, string> = {}): Promise<string> {
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}=${v}`]);
  return kcat(["-b", brokers, "-P", "-t", topic, "-K:", ...headerArgs], `${lines.join("\n")}\n`);
}

/** Reads a whole topic from the beginning: one `key|value|headers` line per record. */
export async function kcatConsume(brokers: string, topic: string): Promise<string[]> {
  const out = await kcat(["-b", brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k|%s|%h\\n"]);
  return out.split("\n").filter(Boolean);
}
