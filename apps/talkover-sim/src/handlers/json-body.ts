import type { ApiRequest } from "../http/api-request.js";
import { parseJsonBody } from "../http/read-body.js";
import { errorReply, type Reply, validationReply } from "../http/reply.js";

/** The parsed JSON body, or the 415/422 reply that refuses it. */
export function jsonBodyOf(req: ApiRequest): { ok: true; value: unknown } | { ok: false; reply: Reply } {
  const parsed = parseJsonBody(req.headers["content-type"], req.body);
  if (parsed.ok) return parsed;
  switch (parsed.reason) {
    case "unsupported_media_type":
      return { ok: false, reply: errorReply(415, "Unsupported Media Type: the Content-Type must be application/json.") };
    case "malformed":
      return { ok: false, reply: validationReply({ body: ["The request body must be valid JSON."] }) };
  }
}
