import type { IncomingHttpHeaders } from "node:http";

/** The bearer token if it is one the simulator knows, else `undefined` (401). */
export function authenticate(headers: IncomingHttpHeaders, tokens: ReadonlySet<string>): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  const token = match?.[1];
  return token !== undefined && tokens.has(token) ? token : undefined;
}
