export type BrokerList = { ok: true; brokers: string[] } | { ok: false; problem: string };

// kafkajs splits each entry at ":" itself, so IPv6 literals cannot be given to it at all.
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/**
 * `"a:9092, b:9092"` -> `["a:9092", "b:9092"]`, or what is wrong with the list. Checked here
 * because kafkajs turns `garbage` into port NaN and fails deep inside Node's socket code.
 */
export function parseBrokerList(text: string): BrokerList {
  const entries = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return { ok: false, problem: "no broker given; use host:port[,host:port]" };
  for (const entry of entries) {
    const colon = entry.lastIndexOf(":");
    if (colon < 0) return { ok: false, problem: `${entry} has no port; use host:port[,host:port]` };
    const host = entry.slice(0, colon);
    const port = entry.slice(colon + 1);
    if (!HOST.test(host)) return { ok: false, problem: `${entry}: "${host}" is not a host name or IPv4 address` };
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) {
      return { ok: false, problem: `${entry}: the port must be a number from 1 to 65535` };
    }
  }
  return { ok: true, brokers: entries };
}
