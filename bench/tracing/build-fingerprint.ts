// Which build of this checkout a run measured: other people's `pnpm build` can replace the dist
// folders mid-run, so the bench reads this at its start and end and says when they differ.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

/** A hash of the path and content of every file in `apps/*\/dist` and `packages/*\/dist` (a rebuild to the same output keeps it). */
export function buildFingerprint(): string {
  const hash = createHash("sha256");
  for (const top of ["apps", "packages"]) {
    for (const name of readdirSync(join(REPO, top)).sort()) {
      const dist = join(REPO, top, name, "dist");
      if (!existsSync(dist)) continue;
      for (const file of (readdirSync(dist, { recursive: true }) as string[]).sort()) {
        const path = join(dist, file);
        if (!statSync(path).isFile()) continue;
        hash.update(`${top}/${name}/dist/${file}\n`);
        hash.update(readFileSync(path));
      }
    }
  }
  return hash.digest("hex").slice(0, 12);
}
