import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { processAlive } from "./process.js";

/**
 * Runs `work` holding a directory lock (mkdir is atomic), so concurrent test runs do not
 * download jars or start a broker twice. A lock whose owner died is taken over.
 */
export async function withLock<T>(dir: string, work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  const lockDir = `${dir}.lock`;
  const ownerFile = join(lockDir, "owner");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lockDir, { recursive: false });
      writeFileSync(ownerFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readSafely(ownerFile));
      if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the lock ${lockDir} (held by pid ${owner || "unknown"})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function readSafely(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
