import { createHmac, createSecretKey } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { signatureEqual } from "./constant-time.js";
import { header, type InboundWebhook, jsonReplies, parseJson, type Source, type VerifyResult } from "./source.js";

/** The spec's reference libraries refuse timestamps more than 5 minutes old or ahead. */
const STANDARD_WEBHOOKS_TOLERANCE_S = 5 * 60;

export interface StandardWebhooksSourceConfig {
  readonly id: string;
  /** `whsec_...` secrets; several while rotating. */
  readonly secrets: readonly string[];
}

/**
 * The Standard Webhooks spec: `webhook-id`, `webhook-timestamp` (seconds), and
 * `webhook-signature`, a space-separated list of `v1,<base64>` entries of which any may match.
 * Svix-based senders use the `svix-` names for the same headers (see `signatureHeaders`).
 * The HMAC covers the raw body bytes. The `standardwebhooks` package would decode them as UTF-8
 * first (so a body with other bytes could never verify); the tests check that our signatures
 * agree with that package and with svix on every valid body. The timestamp is checked against
 * our clock so tests can inject one.
 */
export function standardWebhooksSource(config: StandardWebhooksSourceConfig): Source {
  // `whsec_<base64>`: the key is the decoded bytes, not the string (the schema checked the form).
  // Made into key objects once: createHmac would import a Buffer key again on every webhook.
  const keys = config.secrets.map((secret) => createSecretKey(Buffer.from(secret.replace(/^whsec_/, ""), "base64")));
  return {
    id: config.id,
    kind: "standard-webhooks",
    acceptsContentType: (mediaType) => mediaType === "application/json",
    ...jsonReplies,
    verify(webhook: InboundWebhook, nowMs: number): VerifyResult {
      const { id, timestamp, signature: signatures } = signatureHeaders(webhook.headers);
      if (!id || !timestamp || !signatures) return { ok: false, rejection: { status: 401, reason: "missing_credentials" } };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, rejection: { status: 401, reason: "missing_credentials" } };
      const seconds = Number(timestamp);
      if (Math.abs(nowMs / 1000 - seconds) > STANDARD_WEBHOOKS_TOLERANCE_S)
        return { ok: false, rejection: { status: 401, reason: "stale_timestamp" } };

      const offered = v1Signatures(signatures);
      const valid = keys.some((key) => {
        const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(webhook.rawBody).digest("base64");
        return offered.some((signature) => signatureEqual(expected, signature));
      });
      if (!valid) return { ok: false, rejection: { status: 401, reason: "bad_signature" } };

      const json = parseJson(webhook.rawBody);
      if (!json.ok) return { ok: false, rejection: { status: 400, reason: "the body is not valid JSON" } };
      return { ok: true, events: [{ id, fields: json.value }] };
    },
  };
}

/** The values of the `v1,<base64>` entries of a space-separated `webhook-signature` header. */
function v1Signatures(header: string): string[] {
  const values: string[] = [];
  for (const entry of header.split(" ")) {
    const [version, value] = entry.split(",");
    if (version === "v1" && value !== undefined) values.push(value);
  }
  return values;
}

export interface SignatureHeaders {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * The three signature headers, under either name. Svix, the origin of the Standard Webhooks
 * spec, sends `svix-id`, `svix-timestamp` and `svix-signature` with the same meaning and the same
 * signature scheme. Its reference library (`svix`, which wraps `standardwebhooks`) reads each
 * header as `svix-X ?? webhook-X`: per header, the svix- name wins when present (even empty).
 * We resolve them the same way, so an event verifies here exactly when it verifies there. A mixed
 * set skips no check: every check runs on the one resolved triple, so the timestamp judged for
 * age and the id used for dedupe are the ones the signature covers.
 */
export function signatureHeaders(headers: IncomingHttpHeaders): SignatureHeaders {
  const either = (name: string) => header(headers, `svix-${name}`) ?? header(headers, `webhook-${name}`);
  return { id: either("id"), timestamp: either("timestamp"), signature: either("signature") };
}
