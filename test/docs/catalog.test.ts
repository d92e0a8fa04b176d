import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// One version of each shared dependency: a package named by two or more package.json files is
// pinned once, in pnpm-workspace.yaml's catalog, and those files say `catalog:`.

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The root manifest and every workspace package's, from pnpm-workspace.yaml's `packages` globs (`dir` or `dir/*`). */
function workspaceManifests(): string[] {
  const yaml = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8");
  const globs = [...yaml.matchAll(/^ {2}- (\S+)$/gm)].map((m) => m[1] as string);
  const folders = globs.flatMap((glob) =>
    glob.endsWith("/*") ? readdirSync(join(root, glob.slice(0, -2))).map((entry) => join(glob.slice(0, -2), entry)) : [glob],
  );
  return ["package.json", ...folders.map((folder) => join(folder, "package.json")).filter((manifest) => existsSync(join(root, manifest)))];
}

describe("dependency versions", () => {
  it("a dependency used by two or more packages is pinned once, in the catalog", () => {
    const pinnedIn = new Map<string, string[]>();
    const manifests = workspaceManifests();
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      const json = JSON.parse(readFileSync(join(root, manifest), "utf8")) as Record<string, Record<string, string> | undefined>;
      for (const field of ["dependencies", "devDependencies"]) {
        for (const [name, version] of Object.entries(json[field] ?? {})) {
          if (version.startsWith("workspace:") || version.startsWith("catalog:")) continue;
          pinnedIn.set(name, [...(pinnedIn.get(name) ?? []), manifest]);
        }
      }
    }
    expect([...pinnedIn].filter(([, files]) => files.length > 1)).toEqual([]);
  });
});
