import {
  type Campaign,
  type CampaignStatus,
  type CreateCampaignCallRequest,
  CreateCampaignCallResponse,
  GetCampaignResponse,
  UpdateCampaignStatusResponse,
} from "@callbridge/schemas";
import { Pool } from "undici";
import type { z } from "zod";
import {
  TalkoverAbortedError,
  TalkoverConnectionError,
  TalkoverError,
  TalkoverInvalidResponseError,
  TalkoverTimeoutError,
} from "./errors.js";
import { errorFromResponse } from "./response-errors.js";

export interface TalkoverClientConfig {
  /** e.g. `https://app.talkover.ai` or the simulator's `http://127.0.0.1:4010`. */
  readonly baseUrl: string;
  /** Bearer token (`talq_...`). Kept in a private field; never logged or put on an error. */
  readonly token: string;
  /** Whole-request timeout in ms, connect to last body byte. */
  readonly timeoutMs?: number;
  /** Most sockets kept open to the API (the pool size). */
  readonly connections?: number;
  /** How long an idle pooled socket is kept, in ms. */
  readonly keepAliveTimeoutMs?: number;
  /** Clock for `Retry-After` dates; tests inject one. */
  readonly nowMs?: () => number;
}

export interface RequestOptions {
  /** Overrides the client's timeout for this request. */
  readonly timeoutMs?: number;
  /** Aborting it fails the request with `TalkoverAbortedError`. */
  readonly signal?: AbortSignal;
  /**
   * Extra request headers, such as W3C `traceparent`/`tracestate`. The client's own headers
   * (`authorization`, `content-type`, `accept`, `user-agent`) and those that frame the request
   * (`host`, `content-length`) cannot be replaced: an extra header with one of these names, in
   * any letter case, is left out.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Connect failures where the request never left this process. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);
/** Header names a caller's extra headers may not set (lower case). */
const OWN_HEADERS = new Set(["authorization", "content-type", "accept", "user-agent", "host", "content-length"]);

/**
 * Typed client for the Talkover API. One keep-alive pool per client; every body validated.
 * It makes exactly one attempt per call: the caller (the worker) owns retries.
 */
export class TalkoverClient {
  readonly #authorization: string;
  readonly #pool: Pool;
  readonly #timeoutMs: number;
  readonly #nowMs: () => number;
  readonly #basePath: string;

  constructor(config: TalkoverClientConfig) {
    const base = new URL(config.baseUrl);
    this.#basePath = base.pathname.replace(/\/+$/, "");
    this.#authorization = `Bearer ${config.token}`;
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#nowMs = config.nowMs ?? Date.now;
    this.#pool = new Pool(base.origin, {
      connections: config.connections ?? 64,
      keepAliveTimeout: config.keepAliveTimeoutMs ?? 4_000,
      connect: { timeout: Math.min(this.#timeoutMs, 10_000) },
    });
  }

  /** `POST /api/v1/campaigns/{campaign_id}/call`: 201 resolves; anything else throws a `TalkoverError`. */
  createCampaignCall(
    campaignId: string,
    body: CreateCampaignCallRequest,
    options: RequestOptions = {},
  ): Promise<CreateCampaignCallResponse> {
    return this.#send("POST", `/api/v1/campaigns/${encodeURIComponent(campaignId)}/call`, body, CreateCampaignCallResponse, options);
  }

  /** `GET /api/v1/campaigns/{campaign_id}`. */
  async getCampaign(campaignId: string, options: RequestOptions = {}): Promise<Campaign> {
    const response = await this.#send(
      "GET",
      `/api/v1/campaigns/${encodeURIComponent(campaignId)}`,
      undefined,
      GetCampaignResponse,
      options,
    );
    return response.campaign;
  }

  /** `PATCH /api/v1/campaigns/{campaign_id}/status`. */
  async updateCampaignStatus(campaignId: string, status: CampaignStatus, options: RequestOptions = {}): Promise<Campaign> {
    const path = `/api/v1/campaigns/${encodeURIComponent(campaignId)}/status`;
    const response = await this.#send("PATCH", path, { status }, UpdateCampaignStatusResponse, options);
    return response.campaign;
  }

  /** Closes pooled sockets after in-flight requests finish; safe to call twice. */
  async close(): Promise<void> {
    if (!this.#pool.closed) await this.#pool.close();
  }

  async #send<T>(method: string, path: string, body: unknown, schema: z.ZodType<T>, options: RequestOptions): Promise<T> {
    // One controller for both the timeout and the caller's signal (AbortSignal.any costs more per call).
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const callerAborted = () => controller.abort();
    if (options.signal?.aborted) controller.abort();
    else options.signal?.addEventListener("abort", callerAborted, { once: true });
    const signal = controller.signal;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    try {
      const response = await this.#pool.request({
        method: method as "GET" | "POST" | "PATCH",
        path: `${this.#basePath}${path}`,
        headers: {
          ...(options.headers === undefined ? {} : extraHeaders(options.headers)),
          authorization: this.#authorization,
          accept: "application/json",
          "user-agent": "callbridge-talkover-client/0.1",
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
        },
        body: payload,
        signal,
      });
      const bodyText = await response.body.text();
      const headers = flattenHeaders(response.headers);
      const status = response.statusCode;
      if (status < 200 || status >= 300) throw errorFromResponse({ status, headers, bodyText }, this.#nowMs());
      return parseSuccessBody(schema, status, headers, bodyText);
    } catch (error) {
      if (error instanceof TalkoverError) throw error;
      if (timedOut && !options.signal?.aborted) {
        throw new TalkoverTimeoutError({
          message: `Talkover did not answer ${method} within ${timeoutMs} ms`,
          code: "TIMEOUT",
          cause: error,
        });
      }
      if (options.signal?.aborted)
        throw new TalkoverAbortedError({ message: `${method} to Talkover was aborted`, code: "ABORTED", cause: error });
      throw connectionError(method, error);
    } finally {
      options.signal?.removeEventListener("abort", callerAborted);
      clearTimeout(timer);
    }
  }
}

function parseSuccessBody<T>(schema: z.ZodType<T>, status: number, headers: Record<string, string>, bodyText: string): T {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch (cause) {
    throw new TalkoverInvalidResponseError({
      message: `Talkover answered ${status} with a body that is not JSON`,
      code: "INVALID_RESPONSE",
      status,
      headers,
      responseBody: bodyText,
      cause,
    });
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const where = result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  throw new TalkoverInvalidResponseError({
    message: `Talkover answered ${status} with an unexpected body (${where})`,
    code: "INVALID_RESPONSE",
    status,
    headers,
    responseBody: bodyText,
    cause: result.error,
  });
}

function connectionError(method: string, error: unknown): TalkoverConnectionError {
  const codes = errorCodes(error);
  const requestSent = !codes.some((code) => NOT_SENT_CODES.has(code));
  return new TalkoverConnectionError({
    message: `${method} to Talkover failed: ${codes.join(" / ") || "connection error"}${requestSent ? " (the request may have reached the API)" : ""}`,
    code: "CONNECTION_ERROR",
    requestSent,
    cause: error,
  });
}

/** Error codes along the `cause` chain: undici wraps the socket's own code (`ECONNRESET`, ...). */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

/** The caller's headers without those the client sets itself (matched in any letter case). */
function extraHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase())) kept[name] = value;
  }
  return kept;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
