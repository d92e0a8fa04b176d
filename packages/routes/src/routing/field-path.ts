/** Paths come from the routes file, so few; the bound only guards callers that make them up. */
const MAX_CACHED_PATHS = 1_000;
const stepsOf = new Map<string, readonly string[]>();
const INDEX = /^\d+$/;

/** The steps of a dotted path, split once per path. */
function steps(path: string): readonly string[] {
  let found = stepsOf.get(path);
  if (found === undefined) {
    if (stepsOf.size >= MAX_CACHED_PATHS) stepsOf.clear();
    found = path.split(".");
    stepsOf.set(path, found);
  }
  return found;
}

/** The value at a dotted path (`data.phones.0.value`); `undefined` when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const step of steps(path)) {
    if (current === null || typeof current !== "object") return undefined;
    current = Array.isArray(current) ? (INDEX.test(step) ? current[Number(step)] : undefined) : (current as Record<string, unknown>)[step];
  }
  return current;
}
