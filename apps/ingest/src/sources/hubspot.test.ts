import { createHmac } from "node:crypto";
import { Signature } from "@hubspot/api-client";
import { describe, expect, it } from "vitest";
import { hubspotSource, hubspotV1V2Signature, hubspotV3Signature } from "./hubspot.js";
import type { InboundWebhook, VerifyResult } from "./source.js";

// HubSpot's published signature examples (developers.hubspot.com, "Validating requests").
const SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";
const URI = "https://www.example.com/webhook_uri";
const V1_BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const V1_SIGNATURE = "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de";
const V2_GET_SIGNATURE = "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e";
const EXAMPLE_BODY = '{"example_field":"example_value"}';
const V2_POST_SIGNATURE = "9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900";

// A v3 vector computed once with Node's crypto, outside this code, so a bug in our signing
// cannot also change the expected value.
const V3_TIMESTAMP = 1_700_000_000_000;
const V3_SIGNATURE = "rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=";

const MINUTE = 60_000;

function webhook(
  headers: Record<string, string>,
  body: string | Buffer,
  { method = "POST", url = URI }: { method?: string; url?: string } = {},
): InboundWebhook {
  return { method, url, headers, rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8") };
}

/** v3 signed independently of the code under test: HMAC-SHA256(secret, method + uri + body + timestamp), base64. */
function signV3(body: string | Buffer, timestamp: number, { method = "POST", uri = URI }: { method?: string; uri?: string } = {}): string {
  return createHmac("sha256", SECRET).update(`${method}${uri}`).update(body).update(String(timestamp)).digest("base64");
}

function v3Headers(signature: string, timestamp: number): Record<string, string> {
  return {
    "content-type": "application/json",
    "x-hubspot-signature-v3": signature,
    "x-hubspot-request-timestamp": String(timestamp),
  };
}

function rejection(result: VerifyResult) {
  return result.ok ? undefined : result.rejection;
}

function eventIds(result: VerifyResult): string[] {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejection)}`);
  return result.events.map((event) => event.id);
}

const v3Source = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v3"] });
const allVersions = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v1", "v2", "v3"] });

describe("HubSpot v1 and v2 signatures (HubSpot's published examples)", () => {
  it("computes HubSpot's published v1 signature over the example event array", () => {
    expect(hubspotV1V2Signature("v1", SECRET, "POST", URI, Buffer.from(V1_BODY))).toBe(V1_SIGNATURE);
  });

  it("computes HubSpot's published v2 signature for a GET with no body", () => {
    expect(hubspotV1V2Signature("v2", SECRET, "GET", URI, Buffer.alloc(0))).toBe(V2_GET_SIGNATURE);
  });

  it("computes HubSpot's published v2 signature for a POST with a JSON body", () => {
    expect(hubspotV1V2Signature("v2", SECRET, "POST", URI, Buffer.from(EXAMPLE_BODY))).toBe(V2_POST_SIGNATURE);
  });

  it("accepts an app webhook carrying HubSpot's published v1 signature", () => {
    const source = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v1"] });
    const result = source.verify(
      webhook({ "x-hubspot-signature": V1_SIGNATURE, "x-hubspot-signature-version": "v1" }, V1_BODY),
      Date.now(),
    );
    expect(eventIds(result)).toEqual(["62515:12345:1:123:1564113600000"]);
  });

  it("accepts a workflow webhook carrying HubSpot's published v2 POST signature", () => {
    const source = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v2"] });
    const result = source.verify(
      webhook({ "x-hubspot-signature": V2_POST_SIGNATURE, "x-hubspot-signature-version": "v2" }, EXAMPLE_BODY),
      Date.now(),
    );
    expect(result).toMatchObject({ ok: true, events: [{ fields: { example_field: "example_value" } }] });
  });

  it("lets HubSpot's published v2 GET signature through the signature check (then refuses the empty body, which carries no event)", () => {
    const source = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v2"] });
    const signed = { "x-hubspot-signature": V2_GET_SIGNATURE, "x-hubspot-signature-version": "v2" };
    expect(rejection(source.verify(webhook(signed, "", { method: "GET" }), Date.now()))?.status).toBe(400);
    // The same headers on a POST do not match: the method is signed.
    expect(rejection(source.verify(webhook(signed, "", { method: "POST" }), Date.now()))?.status).toBe(401);
  });

  it("refuses a v1 signature made with another secret", () => {
    const source = hubspotSource({ id: "hubspot", clientSecret: "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", signatureVersions: ["v1"] });
    const result = source.verify(
      webhook({ "x-hubspot-signature": V1_SIGNATURE, "x-hubspot-signature-version": "v1" }, V1_BODY),
      Date.now(),
    );
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_signature" });
  });
});

describe("HubSpot v3 signatures", () => {
  it("computes the fixed v3 vector", () => {
    expect(hubspotV3Signature(SECRET, "POST", URI, Buffer.from(EXAMPLE_BODY), String(V3_TIMESTAMP))).toBe(V3_SIGNATURE);
  });

  it("accepts the fixed v3 vector when the clock is near its timestamp", () => {
    const result = v3Source.verify(webhook(v3Headers(V3_SIGNATURE, V3_TIMESTAMP), EXAMPLE_BODY), V3_TIMESTAMP + 1_500);
    expect(result).toMatchObject({ ok: true, events: [{ fields: { example_field: "example_value" } }] });
  });

  it("accepts a v3 signature made by @hubspot/api-client's Signature.getSignature", () => {
    const timestamp = V3_TIMESTAMP + 123_456;
    const body =
      '[{"eventId":7,"subscriptionId":9,"portalId":62515,"occurredAt":1700000100000,"objectId":501,"propertyName":"phone","propertyValue":"+14155550142"}]';
    const signature = Signature.getSignature("POST", "v3", { signature: "", clientSecret: SECRET, requestBody: body, url: URI, timestamp });
    expect(signature).not.toBe(V3_SIGNATURE);
    const result = v3Source.verify(webhook(v3Headers(signature, timestamp), body), timestamp + 2_000);
    expect(eventIds(result)).toEqual(["62515:9:7:501:1700000100000"]);
  });

  it("accepts a request 4 minutes old or 4 minutes ahead of the clock", () => {
    const signature = signV3(EXAMPLE_BODY, V3_TIMESTAMP);
    const request = webhook(v3Headers(signature, V3_TIMESTAMP), EXAMPLE_BODY);
    expect(v3Source.verify(request, V3_TIMESTAMP + 4 * MINUTE).ok).toBe(true);
    expect(v3Source.verify(request, V3_TIMESTAMP - 4 * MINUTE).ok).toBe(true);
  });

  it("refuses a correctly signed request whose timestamp is 6 minutes old", () => {
    const timestamp = V3_TIMESTAMP - 6 * MINUTE;
    const result = v3Source.verify(webhook(v3Headers(signV3(EXAMPLE_BODY, timestamp), timestamp), EXAMPLE_BODY), V3_TIMESTAMP);
    expect(rejection(result)).toEqual({ status: 401, reason: "stale_timestamp" });
  });

  it("refuses a correctly signed request whose timestamp is 6 minutes in the future", () => {
    const timestamp = V3_TIMESTAMP + 6 * MINUTE;
    const result = v3Source.verify(webhook(v3Headers(signV3(EXAMPLE_BODY, timestamp), timestamp), EXAMPLE_BODY), V3_TIMESTAMP);
    expect(rejection(result)).toEqual({ status: 401, reason: "stale_timestamp" });
  });

  it("refuses a body with one byte changed after signing", () => {
    const tampered = Buffer.from(EXAMPLE_BODY);
    tampered[tampered.length - 3] = "X".charCodeAt(0);
    expect(tampered.toString()).not.toBe(EXAMPLE_BODY);
    const result = v3Source.verify(webhook(v3Headers(V3_SIGNATURE, V3_TIMESTAMP), tampered), V3_TIMESTAMP);
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_signature" });
  });

  it("refuses a signature made for https:// when the request was rebuilt as http://", () => {
    const result = v3Source.verify(
      webhook(v3Headers(V3_SIGNATURE, V3_TIMESTAMP), EXAMPLE_BODY, { url: "http://www.example.com/webhook_uri" }),
      V3_TIMESTAMP,
    );
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_signature" });
  });

  it("verifies a URL with %3A, %2F, %3F and %40 escapes against the decoded URI HubSpot signs", () => {
    const sentUrl = "https://www.example.com/webhook_uri?next=https%3A%2F%2Fcrm.example.com%2Fa%3Fb%3D1&who=me%40example.com";
    // Only the listed escapes are decoded; %3D ("=") stays as sent.
    const signedUri = "https://www.example.com/webhook_uri?next=https://crm.example.com/a?b%3D1&who=me@example.com";
    const signature = Signature.getSignature("POST", "v3", {
      signature: "",
      clientSecret: SECRET,
      requestBody: EXAMPLE_BODY,
      url: signedUri,
      timestamp: V3_TIMESTAMP,
    });
    expect(signature).toBe(signV3(EXAMPLE_BODY, V3_TIMESTAMP, { uri: signedUri }));

    const result = v3Source.verify(webhook(v3Headers(signature, V3_TIMESTAMP), EXAMPLE_BODY, { url: sentUrl }), V3_TIMESTAMP);
    expect(result.ok).toBe(true);
  });

  it("refuses a signature computed over the still-encoded URL, which HubSpot never sends", () => {
    const sentUrl = "https://www.example.com/webhook_uri?next=https%3A%2F%2Fcrm.example.com";
    const signature = signV3(EXAMPLE_BODY, V3_TIMESTAMP, { uri: sentUrl });
    const result = v3Source.verify(webhook(v3Headers(signature, V3_TIMESTAMP), EXAMPLE_BODY, { url: sentUrl }), V3_TIMESTAMP);
    expect(rejection(result)).toEqual({ status: 401, reason: "bad_signature" });
  });

  it("refuses a v3 signature without its timestamp header", () => {
    const result = v3Source.verify(webhook({ "x-hubspot-signature-v3": V3_SIGNATURE }, EXAMPLE_BODY), V3_TIMESTAMP);
    expect(rejection(result)?.status).toBe(401);
  });

  it("refuses a v3 signature whose timestamp header is not a number", () => {
    const result = v3Source.verify(
      webhook({ "x-hubspot-signature-v3": V3_SIGNATURE, "x-hubspot-request-timestamp": "2023-11-14T22:13:20Z" }, EXAMPLE_BODY),
      V3_TIMESTAMP,
    );
    expect(rejection(result)?.status).toBe(401);
  });

  it("refuses a request with no signature headers at all as missing credentials", () => {
    const result = allVersions.verify(webhook({ "content-type": "application/json" }, EXAMPLE_BODY), V3_TIMESTAMP);
    expect(rejection(result)).toEqual({ status: 401, reason: "missing_credentials" });
  });

  it("refuses a valid v1 signature when the source only accepts v3", () => {
    const result = v3Source.verify(
      webhook({ "x-hubspot-signature": V1_SIGNATURE, "x-hubspot-signature-version": "v1" }, V1_BODY),
      V3_TIMESTAMP,
    );
    expect(rejection(result)?.status).toBe(401);
    // The same request passes a source that does accept v1, so the version is what is refused.
    const v1Source = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v1"] });
    expect(
      v1Source.verify(webhook({ "x-hubspot-signature": V1_SIGNATURE, "x-hubspot-signature-version": "v1" }, V1_BODY), V3_TIMESTAMP).ok,
    ).toBe(true);
  });

  it("does not accept a v3 signature on a source configured without v3", () => {
    const v1Only = hubspotSource({ id: "hubspot", clientSecret: SECRET, signatureVersions: ["v1"] });
    const result = v1Only.verify(webhook(v3Headers(V3_SIGNATURE, V3_TIMESTAMP), EXAMPLE_BODY), V3_TIMESTAMP);
    expect(rejection(result)?.status).toBe(401);
  });
});

describe("HubSpot payloads", () => {
  function signedV3(body: string | Buffer): InboundWebhook {
    return webhook(v3Headers(signV3(body, V3_TIMESTAMP), V3_TIMESTAMP), body);
  }

  it("turns an app-webhook array of two events into two events keyed portalId:subscriptionId:eventId:objectId:occurredAt", () => {
    const events = [
      {
        eventId: 100,
        subscriptionId: 2001,
        portalId: 62515,
        appId: 54321,
        occurredAt: 1700000000100,
        subscriptionType: "contact.propertyChange",
        attemptNumber: 0,
        objectId: 901,
        propertyName: "phone",
        propertyValue: "(415) 555-0142",
      },
      {
        eventId: 100,
        subscriptionId: 2002,
        portalId: 62515,
        appId: 54321,
        occurredAt: 1700000000200,
        subscriptionType: "contact.creation",
        attemptNumber: 0,
        objectId: 902,
      },
    ];
    const result = v3Source.verify(signedV3(JSON.stringify(events)), V3_TIMESTAMP);
    expect(result).toEqual({
      ok: true,
      events: [
        { id: "62515:2001:100:901:1700000000100", fields: events[0] },
        { id: "62515:2002:100:902:1700000000200", fields: events[1] },
      ],
    });
  });

  it("turns a workflow record object into one event whose workflow: id is the same for the same bytes and differs for other bytes", () => {
    const record = '{"hs_object_id":"901","phone":"+1 415 555 0142","firstname":"Ada"}';
    const first = v3Source.verify(signedV3(record), V3_TIMESTAMP);
    const retry = v3Source.verify(signedV3(record), V3_TIMESTAMP + 60_000);
    const other = v3Source.verify(signedV3('{"hs_object_id":"902","phone":"+1 415 555 0143","firstname":"Bo"}'), V3_TIMESTAMP);

    const [id] = eventIds(first);
    expect(eventIds(first)).toHaveLength(1);
    expect(id).toMatch(/^workflow:/);
    expect(eventIds(retry)).toEqual([id]);
    expect(eventIds(other)).toHaveLength(1);
    expect(eventIds(other)[0]).not.toBe(id);
    expect(first).toMatchObject({ ok: true, events: [{ fields: { hs_object_id: "901", phone: "+1 415 555 0142" } }] });
  });

  it("refuses a correctly signed body that is not JSON with 400", () => {
    const result = v3Source.verify(signedV3("eventId=1&objectId=2"), V3_TIMESTAMP);
    expect(rejection(result)?.status).toBe(400);
  });

  it("refuses an event array in which one element has no eventId with 400", () => {
    const body = JSON.stringify([
      { eventId: 1, subscriptionId: 2, portalId: 3, objectId: 4, occurredAt: 5 },
      { subscriptionId: 2, portalId: 3, objectId: 6, occurredAt: 7 },
    ]);
    const result = v3Source.verify(signedV3(body), V3_TIMESTAMP);
    expect(rejection(result)?.status).toBe(400);
  });
});
