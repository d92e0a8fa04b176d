/** The value at a dotted path (`data.phones.0.value`); `undefined` when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const step of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = Array.isArray(current)
      ? /^\d+$/.test(step)
        ? current[Number(step)]
        : undefined
      : (current as Record<string, unknown>)[step];
  }
  return current;
}
