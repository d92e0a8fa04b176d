import type { IncomingHttpHeaders } from "node:http";

/** A request as handlers see it: already read, routed and bounded. */
export interface ApiRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}
