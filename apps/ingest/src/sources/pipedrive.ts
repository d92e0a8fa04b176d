import { constantTimeEqual } from "./constant-time.js";
import { header, type InboundWebhook, jsonReplies, parseJson, type Source, type VerifyResult } from "./source.js";

export interface PipedriveSourceConfig {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Pipedrive webhooks v2: `{meta, data, previous}`, authenticated only by the HTTP Basic
 * credentials set on the webhook. `meta.id` is the event id. A body that is not one gets a 400
 * saying what is wrong (`readPipedriveEvent`).
 */
export function pipedriveSource(config: PipedriveSourceConfig): Source {
  const expected = `${config.username}:${config.password}`;
  return {
    id: config.id,
    kind: "pipedrive",
    acceptsContentType: (mediaType) => mediaType === "application/json",
    ...jsonReplies,
    verify(webhook: InboundWebhook): VerifyResult {
      const authorization = header(webhook.headers, "authorization");
      const match = authorization === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
      if (!match?.[1]) return { ok: false, rejection: { status: 401, reason: "missing_credentials" } };
      if (!constantTimeEqual(Buffer.from(match[1], "base64").toString("utf8"), expected)) {
        return { ok: false, rejection: { status: 401, reason: "bad_credentials" } };
      }
      const json = parseJson(webhook.rawBody);
      if (!json.ok) return { ok: false, rejection: { status: 400, reason: "the body is not valid JSON" } };
      const read = readPipedriveEvent(json.value);
      if (!read.ok) return { ok: false, rejection: { status: 400, reason: describePipedriveProblem(read.problem) } };
      return { ok: true, events: [{ id: read.id, fields: json.value }] };
    },
  };
}

export type PipedriveProblem =
  | { readonly kind: "not_an_object"; readonly got: string }
  | { readonly kind: "webhooks_v1" }
  | { readonly kind: "meta_missing" }
  | { readonly kind: "meta_not_an_object"; readonly got: string }
  | { readonly kind: "meta_id_missing" }
  | { readonly kind: "meta_id_not_a_string"; readonly got: string }
  | { readonly kind: "meta_id_empty" };

/**
 * The event id of a webhooks v2 body, or what is wrong with it. Webhooks v1 bodies (`{v: 1,
 * event, meta: {v: 1, id: <number>}, current, previous}`) are recognised and named as such: their
 * `meta.id` is the object's id, not the event's, and their shape is not what routes read.
 */
export function readPipedriveEvent(body: unknown): { ok: true; id: string } | { ok: false; problem: PipedriveProblem } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, problem: { kind: "not_an_object", got: typeName(body) } };
  const { meta } = body as { meta?: unknown };
  if (isWebhooksV1(body as Record<string, unknown>)) return { ok: false, problem: { kind: "webhooks_v1" } };
  if (meta === undefined) return { ok: false, problem: { kind: "meta_missing" } };
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
    return { ok: false, problem: { kind: "meta_not_an_object", got: typeName(meta) } };
  }
  const { id } = meta as { id?: unknown };
  if (id === undefined) return { ok: false, problem: { kind: "meta_id_missing" } };
  if (typeof id !== "string") return { ok: false, problem: { kind: "meta_id_not_a_string", got: typeName(id) } };
  if (id === "") return { ok: false, problem: { kind: "meta_id_empty" } };
  return { ok: true, id };
}

export function describePipedriveProblem(problem: PipedriveProblem): string {
  switch (problem.kind) {
    case "not_an_object":
      return `the body must be a Pipedrive webhooks v2 object ({meta, data, previous}), got ${problem.got}`;
    case "webhooks_v1":
      return "Pipedrive webhooks v1 are not supported; set the webhook to version 2.0";
    case "meta_missing":
      return "meta is missing: the body is not a Pipedrive webhooks v2 event ({meta, data, previous})";
    case "meta_not_an_object":
      return `meta must be an object, got ${problem.got}`;
    case "meta_id_missing":
      return "meta.id is missing";
    case "meta_id_not_a_string":
      return `meta.id must be a string, got ${problem.got}`;
    case "meta_id_empty":
      return "meta.id is empty";
  }
}

/** v1 marks itself with `v: 1` (top level and in meta), and carries `current` where v2 has `data`. */
function isWebhooksV1(body: Record<string, unknown>): boolean {
  const meta = body.meta as { v?: unknown; version?: unknown } | null | undefined;
  const metaV1 = typeof meta === "object" && meta !== null && (meta.v === 1 || meta.version === "1.0");
  return body.v === 1 || metaV1 || ("current" in body && !("data" in body));
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
