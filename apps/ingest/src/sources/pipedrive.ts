import { constantTimeEqual } from "./constant-time.js";
import { header, type InboundWebhook, jsonReplies, parseJson, type Source, type VerifyResult } from "./source.js";

export interface PipedriveSourceConfig {
  readonly id: string;
  readonly username: string;
  readonly password: string;
}

/**
 * Pipedrive webhooks v2: `{meta, data, previous}`, authenticated only by the HTTP Basic
 * credentials set on the webhook. `meta.id` is the event id.
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
      const body = json.value as { meta?: { id?: unknown; version?: unknown } } | null;
      if (typeof body !== "object" || body === null || typeof body.meta !== "object" || body.meta === null) {
        return { ok: false, rejection: { status: 400, reason: "the body is not a Pipedrive v2 webhook ({meta, data, previous})" } };
      }
      if (typeof body.meta.id !== "string" || body.meta.id === "") {
        return { ok: false, rejection: { status: 400, reason: "meta.id is missing" } };
      }
      return { ok: true, events: [{ id: body.meta.id, fields: body }] };
    },
  };
}
