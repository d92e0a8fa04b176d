import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The package's promise: kafkajs stays inside. Its public declarations (what `dist/index.d.ts`
// reaches) never import kafkajs, so nothing outside can name a kafkajs type or build a
// producer, consumer or admin except through KafkaClient. Runs on the build output.

const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/** Every declaration file reachable from `entry` through relative imports and re-exports, with the bare modules each names. */
function reachableDeclarations(entry: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (found.has(file)) continue;
    const text = readFileSync(file, "utf8");
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] as string);
    found.set(
      file,
      specifiers.filter((s) => !s.startsWith(".")),
    );
    for (const s of specifiers.filter((s) => s.startsWith("."))) pending.push(join(dirname(file), s.replace(/\.js$/, ".d.ts")));
  }
  return found;
}

describe.skipIf(!existsSync(join(dist, "index.d.ts")))("public declarations of @callbridge/kafka", () => {
  it("never import kafkajs", () => {
    const declarations = reachableDeclarations(join(dist, "index.d.ts"));
    expect(declarations.size).toBeGreaterThan(10);
    const leaks = [...declarations].filter(([, modules]) => modules.includes("kafkajs")).map(([file]) => file);
    expect(leaks).toEqual([]);
  });

  it("offer no constructor of Producer, Consumer or Admin (KafkaClient makes them)", () => {
    for (const name of ["producer", "consumer", "admin"]) {
      expect(readFileSync(join(dist, `${name}.d.ts`), "utf8")).not.toMatch(/constructor\(/);
    }
  });
});
