import type { IncomingHttpHeaders } from "node:http";

/** A webhook as received: the raw bytes are what signatures cover. */
export interface InboundWebhook {
  readonly method: string;
  /** The full URL the sender called, rebuilt from the configured public base URL. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
}

/** One CRM event out of a webhook (a request may carry up to 100). */
export interface SourceEvent {
  /** The sender's id for the event, stable across its retries: the dedupe key. */
  readonly id: string;
  /** What route `when`, `to`, `payload` and `context` paths read. */
  readonly fields: unknown;
}

/** Why a webhook was refused. `unauthorized` answers never say which check failed. */
type Rejection =
  | { readonly status: 400; readonly reason: string }
  | {
      readonly status: 401;
      readonly reason: "missing_credentials" | "bad_signature" | "bad_credentials" | "stale_timestamp" | "unknown_organization";
    };

export type VerifyResult = { ok: true; events: SourceEvent[] } | { ok: false; rejection: Rejection };

/** What a source answers; most answer JSON, Salesforce a SOAP envelope. */
export interface SourceReply {
  readonly status: number;
  /** Sent as it is: give the charset of a text type. */
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The counts of an accepted webhook, the body of its 2xx answer. */
export interface WebhookSummary {
  readonly events: number;
  /** Call requests written. */
  readonly accepted: number;
  /** Events no route or opt-out matched. */
  readonly ignored: number;
  /** Call requests and dead letters written before (a redelivery). */
  readonly duplicate: number;
  /** Dead letters written (`invalid_phone`), of routes and of opt-outs. */
  readonly invalid: number;
  /** Opt-outs written to the do-not-call list (a number listed before counts too). */
  readonly opt_outs: number;
}

/** A configured source: verifies and parses its sender's webhooks, and answers in its sender's terms. */
export interface Source {
  readonly id: string;
  readonly kind: string;
  /** Media types the sender uses; others get 415 before the body is read. */
  acceptsContentType(mediaType: string): boolean;
  verify(webhook: InboundWebhook, nowMs: number): VerifyResult;
  accepted(summary: WebhookSummary): SourceReply;
  refused(status: number, message: string, headers?: Record<string, string>): SourceReply;
}

/** The content type of JSON answers, with the charset Express would add to it. */
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/** The JSON answers of every source but Salesforce. */
export const jsonReplies = {
  accepted(summary: WebhookSummary): SourceReply {
    return { status: 202, contentType: JSON_CONTENT_TYPE, body: JSON.stringify(summary) };
  },
  refused(status: number, message: string, headers?: Record<string, string>): SourceReply {
    return { status, contentType: JSON_CONTENT_TYPE, body: JSON.stringify({ error: message }), ...(headers ? { headers } : {}) };
  },
};

export function mediaTypeOf(contentType: string | undefined): string {
  return contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
}

export function parseJson(rawBody: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(rawBody.toString("utf8")) as unknown };
  } catch {
    return { ok: false };
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
