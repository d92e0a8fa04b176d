// The build before tracing existed: its commit checked out with `git worktree add` in a
// temporary directory outside the repository, installed and built there, removed after the run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

export interface Checkout {
  readonly dir: string;
  readonly commit: string;
  readonly ingestMain: string;
  readonly workerMain: string;
  /** Removes the worktree this run made (nothing for a directory it was given). */
  remove(): void;
}

/**
 * `dir` when given (an existing checkout, already built: kept), else `ref` checked out, installed
 * (offline from pnpm's store when it can be) and built in a new temporary worktree.
 */
export function beforeCheckout(ref: string, dir: string | undefined, log: (line: string) => void): Checkout {
  if (dir) return built(dir, () => undefined);
  const worktree = mkdtempSync(join(tmpdir(), "callbridge-before-"));
  log(`checking out ${ref} into ${worktree}`);
  git(["worktree", "add", "--detach", worktree, ref], REPO);
  const remove = () => {
    git(["worktree", "remove", "--force", worktree], REPO);
    git(["worktree", "prune"], REPO);
  };
  try {
    log("pnpm install and pnpm build there (a minute or two)");
    try {
      pnpm(["install", "--frozen-lockfile", "--offline"], worktree);
    } catch {
      pnpm(["install", "--frozen-lockfile"], worktree);
    }
    pnpm(["build"], worktree);
    return built(worktree, remove);
  } catch (error) {
    remove();
    throw error;
  }
}

function built(dir: string, remove: () => void): Checkout {
  const ingestMain = join(dir, "apps/ingest/dist/main.js");
  const workerMain = join(dir, "apps/worker/dist/main.js");
  for (const main of [ingestMain, workerMain]) {
    if (!existsSync(main)) throw new Error(`${main} is missing: build ${dir} first`);
  }
  return { dir, commit: git(["rev-parse", "HEAD"], dir).trim(), ingestMain, workerMain, remove };
}

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
}

/** pnpm as the bench was started (`npm_execpath` under `pnpm --filter`), else from PATH; its output to stderr. */
function pnpm(args: string[], cwd: string): void {
  const execPath = process.env.npm_execpath;
  const [command, ...rest] = execPath?.includes("pnpm") ? [process.execPath, execPath, ...args] : ["pnpm", ...args];
  execFileSync(command as string, rest, { cwd, stdio: ["ignore", 2, 2] });
}
