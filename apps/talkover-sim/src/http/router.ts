import type { ApiRequest } from "./api-request.js";
import type { Reply } from "./reply.js";

export type Handler = (req: ApiRequest) => Reply | Promise<Reply>;

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
  /** Whether the added-latency fault applies (the API surface, not the admin one). */
  readonly api: boolean;
}

export type RouteMatch =
  | { kind: "found"; handler: Handler; params: Record<string, string>; api: boolean }
  | { kind: "method_not_allowed"; allow: string[] }
  | { kind: "not_found" };

/** A small exact-segment router: `/api/v1/campaigns/:campaign_id/call`. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, options: { api: boolean }): this {
    this.routes.push({ method, segments: pattern.split("/").filter(Boolean), handler, api: options.api });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const segments = path.split("/").filter(Boolean);
    const allow: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method) return { kind: "found", handler: route.handler, params, api: route.api };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: "method_not_allowed", allow } : { kind: "not_found" };
  }
}

function matchSegments(pattern: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const value = actual[i] ?? "";
    if (part.startsWith(":")) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return undefined;
      }
      params[part.slice(1)] = decoded;
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}
