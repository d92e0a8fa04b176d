/** Somewhere letters go as they are read: `add` each, then `end`, which answers how many it printed. */
export interface Listing<T> {
  add(item: T): void;
  end(): number;
}

const PAGE_ROWS = 500;

/**
 * A table printed a page at a time. Columns are as wide as the widest cell seen so far, so a
 * listing of up to a page looks exactly like `table()`, and a longer one stays aligned unless a
 * later page holds a wider cell (as `kubectl get` does with chunked lists).
 */
export function streamingTable<T>(out: (text: string) => void, headers: readonly string[], row: (item: T) => string[]): Listing<T> {
  const widths = headers.map((header) => header.length);
  let page: string[][] = [];
  let printed = 0;
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const flush = () => {
    if (page.length === 0) return;
    for (const cells of page) {
      for (const [i, cell] of cells.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
    }
    out([...(printed === 0 ? [line(headers)] : []), ...page.map(line)].join("\n"));
    printed += page.length;
    page = [];
  };
  return {
    add(item) {
      page.push(row(item));
      if (page.length >= PAGE_ROWS) flush();
    },
    end() {
      flush();
      return printed;
    },
  };
}

/** A JSON array printed an element at a time, formatted as `JSON.stringify(array, null, 2)` would be. */
export function streamingJson<T>(out: (text: string) => void, toJson: (item: T) => unknown): Listing<T> {
  let held: string | undefined;
  let printed = 0;
  return {
    add(item) {
      out(held === undefined ? "[" : `${held},`);
      held = JSON.stringify(toJson(item), null, 2)
        .split("\n")
        .map((text) => `  ${text}`)
        .join("\n");
      printed += 1;
    },
    end() {
      out(held === undefined ? "[]" : `${held}\n]`);
      return printed;
    },
  };
}

/** Keeps only the last `limit` items (a ring), and hands them on at the end. */
export function tail<T>(limit: number, to: Listing<T>): Listing<T> {
  const ring: T[] = [];
  let next = 0;
  return {
    add(item) {
      if (ring.length < limit) ring.push(item);
      else ring[next] = item;
      next = (next + 1) % limit;
    },
    end() {
      const ordered = ring.length < limit ? ring : [...ring.slice(next), ...ring.slice(0, next)];
      for (const item of ordered) to.add(item);
      return to.end();
    },
  };
}
