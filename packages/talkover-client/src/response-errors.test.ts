import { describe, expect, it } from "vitest";
import { errorFromResponse } from "./response-errors.js";

const now = 0;
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  errorFromResponse({ status, headers: { "content-type": "application/json", ...headers }, bodyText: JSON.stringify(body) }, now);

describe("errorFromResponse", () => {
  it("maps the documented 400 to CAMPAIGN_NOT_ACTIVE, and another 400 to BAD_REQUEST", () => {
    expect(json(400, { success: false, message: "Campaign is not active" })).toMatchObject({
      kind: "bad_request",
      code: "CAMPAIGN_NOT_ACTIVE",
    });
    expect(json(400, { success: false, message: "Bad JSON" })).toMatchObject({ kind: "bad_request", code: "BAD_REQUEST" });
  });

  it("does not call a 404 for a wrong path CAMPAIGN_NOT_FOUND", () => {
    expect(json(404, { success: false, message: "Campaign not found" }).code).toBe("CAMPAIGN_NOT_FOUND");
    expect(errorFromResponse({ status: 404, headers: {}, bodyText: "<html>nginx</html>" }, now)).toMatchObject({
      kind: "not_found",
      code: "NOT_FOUND",
    });
  });

  it("prefers a code the body carries over the status default", () => {
    expect(json(400, { success: false, message: "x", code: "SOMETHING_NEW" }).code).toBe("SOMETHING_NEW");
  });

  it("keeps a 5xx from a proxy retryable even when its body is HTML", () => {
    const error = errorFromResponse({ status: 502, headers: { "content-type": "text/html" }, bodyText: "<h1>Bad gateway</h1>" }, now);
    expect(error).toMatchObject({ kind: "server_error", code: "SERVER_ERROR", retryable: true, ambiguous: true, status: 502 });
    expect(error.message).toBe("Talkover answered 502 SERVER_ERROR: (unrecognised text/html body of 20 bytes)");
  });

  it("reads Retry-After on a 503 too", () => {
    expect(json(503, { success: false, message: "down" }, { "retry-after": "7" }).retryAfterMs).toBe(7000);
  });

  it("treats an undocumented status as not retryable, except 408", () => {
    expect(json(413, { success: false, message: "too big" })).toMatchObject({
      kind: "unexpected_status",
      code: "HTTP_413",
      retryable: false,
    });
    expect(json(408, { success: false, message: "slow" })).toMatchObject({ kind: "unexpected_status", retryable: true });
  });
});
