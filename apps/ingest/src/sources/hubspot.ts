import { createHash, createHmac } from "node:crypto";
import { constantTimeEqual } from "./constant-time.js";
import { header, type InboundWebhook, jsonReplies, parseJson, type Source, type SourceEvent, type VerifyResult } from "./source.js";

export interface HubSpotSourceConfig {
  readonly id: string;
  readonly clientSecret: string;
  readonly signatureVersions: readonly ("v1" | "v2" | "v3")[];
}

/** v3 requests older or newer than this are refused (HubSpot: reject after 5 minutes). */
const HUBSPOT_TOLERANCE_MS = 5 * 60 * 1000;

/** v3 signs the URL with these escapes decoded (HubSpot's validation guide). */
const V3_DECODED_ESCAPES: Record<string, string> = {
  "%3A": ":",
  "%2F": "/",
  "%3F": "?",
  "%40": "@",
  "%21": "!",
  "%24": "$",
  "%27": "'",
  "%28": "(",
  "%29": ")",
  "%2A": "*",
  "%2C": ",",
  "%3B": ";",
};

function hubspotV3Uri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (encoded) => V3_DECODED_ESCAPES[encoded.toUpperCase()] ?? encoded);
}

/** v1: SHA-256 hex of secret + body. v2: of secret + method + URL + body. */
export function hubspotV1V2Signature(version: "v1" | "v2", secret: string, method: string, url: string, rawBody: Buffer): string {
  const hash = createHash("sha256").update(secret);
  if (version === "v2") hash.update(method).update(url);
  return hash.update(rawBody).digest("hex");
}

/** v3: base64 HMAC-SHA256 (key: client secret) of method + URL + body + timestamp. */
export function hubspotV3Signature(secret: string, method: string, url: string, rawBody: Buffer, timestamp: string): string {
  return createHmac("sha256", secret).update(method).update(hubspotV3Uri(url)).update(rawBody).update(timestamp).digest("base64");
}

/**
 * HubSpot app webhooks (a JSON array of up to 100 events; a phone arrives as `propertyValue`
 * of a phone property change) and workflow "Send a webhook" actions (one record object).
 * Signature v3 is preferred when its header is present.
 */
export function hubspotSource(config: HubSpotSourceConfig): Source {
  const accepts = new Set(config.signatureVersions);
  return {
    id: config.id,
    kind: "hubspot",
    acceptsContentType: (mediaType) => mediaType === "application/json",
    ...jsonReplies,
    verify(webhook: InboundWebhook, nowMs: number): VerifyResult {
      const verdict = verifySignature(webhook, nowMs);
      if (verdict !== "ok") return { ok: false, rejection: { status: 401, reason: verdict } };
      const json = parseJson(webhook.rawBody);
      if (!json.ok) return { ok: false, rejection: { status: 400, reason: "the body is not valid JSON" } };
      return eventsOf(json.value, webhook.rawBody);
    },
  };

  function verifySignature(webhook: InboundWebhook, nowMs: number): "ok" | "missing_credentials" | "bad_signature" | "stale_timestamp" {
    const v3 = header(webhook.headers, "x-hubspot-signature-v3");
    if (v3 !== undefined && accepts.has("v3")) {
      const timestamp = header(webhook.headers, "x-hubspot-request-timestamp");
      if (timestamp === undefined || !/^\d{1,16}$/.test(timestamp)) return "missing_credentials";
      if (Math.abs(nowMs - Number(timestamp)) > HUBSPOT_TOLERANCE_MS) return "stale_timestamp";
      const expected = hubspotV3Signature(config.clientSecret, webhook.method, webhook.url, webhook.rawBody, timestamp);
      return constantTimeEqual(expected, v3) ? "ok" : "bad_signature";
    }
    const signature = header(webhook.headers, "x-hubspot-signature");
    const version = (header(webhook.headers, "x-hubspot-signature-version") ?? "v1").toLowerCase();
    if (signature === undefined) return "missing_credentials";
    if ((version !== "v1" && version !== "v2") || !accepts.has(version)) return "bad_signature";
    const expected = hubspotV1V2Signature(version, config.clientSecret, webhook.method, webhook.url, webhook.rawBody);
    return constantTimeEqual(expected, signature.toLowerCase()) ? "ok" : "bad_signature";
  }
}

function eventsOf(body: unknown, rawBody: Buffer): VerifyResult {
  if (Array.isArray(body)) {
    const events: SourceEvent[] = [];
    for (const [i, event] of body.entries()) {
      if (typeof event !== "object" || event === null || Array.isArray(event)) {
        return { ok: false, rejection: { status: 400, reason: `event [${i}] is not an object` } };
      }
      const e = event as Record<string, unknown>;
      if (e.eventId === undefined) return { ok: false, rejection: { status: 400, reason: `event [${i}] has no eventId` } };
      // HubSpot says eventId alone is not unique; with these it is.
      const id = [e.portalId, e.subscriptionId, e.eventId, e.objectId, e.occurredAt].map((part) => String(part ?? "")).join(":");
      events.push({ id, fields: e });
    }
    return { ok: true, events };
  }
  if (typeof body === "object" && body !== null) {
    // A workflow webhook has no event id; its retries resend the same bytes.
    const id = `workflow:${createHash("sha256").update(rawBody).digest("hex").slice(0, 32)}`;
    return { ok: true, events: [{ id, fields: body }] };
  }
  return { ok: false, rejection: { status: 400, reason: "the body must be an array of events or a record object" } };
}
