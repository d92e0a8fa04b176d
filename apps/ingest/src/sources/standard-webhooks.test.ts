import { createHmac } from "node:crypto";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import type { InboundWebhook, VerifyResult } from "./source.js";
import { signatureHeaders, standardWebhooksSource } from "./standard-webhooks.js";

// The fixed vector from the Standard Webhooks spec repository.
const SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SPEC_TIMESTAMP_S = 1614265330;
const SPEC_BODY = '{"test": 2432232314}';
const SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

const SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const OTHER_SECRET = "whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCBrZXkh";
const NOW_MS = 1_700_000_000_000;
const NOW_S = NOW_MS / 1000;
const BODY = '{"type":"contact.updated","timestamp":"2023-11-14T22:13:20Z","data":{"id":"c_42","phone":"+14155550142"}}';

function webhook(headers: Record<string, string>, body: string | Buffer): InboundWebhook {
  return {
    method: "POST",
    url: "https://ingest.example.com/webhooks/std",
    headers: { "content-type": "application/json", ...headers },
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, "utf8"),
  };
}

function signed(id: string, timestampS: number, signature: string, body: string | Buffer): InboundWebhook {
  return webhook({ "webhook-id": id, "webhook-timestamp": String(timestampS), "webhook-signature": signature }, body);
}

/** The spec's recipe, computed with Node crypto: v1,base64(HMAC-SHA256(base64decode(secret), id.timestamp.body)). */
function signIndependently(secret: string, id: string, timestampS: number, body: string | Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampS}.`).update(body).digest("base64")}`;
}

function rejection(result: VerifyResult) {
  return result.ok ? undefined : result.rejection;
}

const source = standardWebhooksSource({ id: "std", secrets: [SECRET] });

describe("standardWebhooksSource signatures", () => {
  it("accepts the spec's fixed vector and makes webhook-id the event id", () => {
    const spec = standardWebhooksSource({ id: "std", secrets: [SPEC_SECRET] });
    const result = spec.verify(signed(SPEC_ID, SPEC_TIMESTAMP_S, SPEC_SIGNATURE, SPEC_BODY), SPEC_TIMESTAMP_S * 1000);
    expect(result).toEqual({ ok: true, events: [{ id: SPEC_ID, fields: { test: 2432232314 } }] });
  });

  it("agrees with the spec's fixed vector when signing independently with Node crypto", () => {
    // Guards the helper the other tests use: it must reproduce the spec's own vector.
    expect(signIndependently(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP_S, SPEC_BODY)).toBe(SPEC_SIGNATURE);
  });

  it("accepts a signature made by the standardwebhooks package", () => {
    const signature = new StandardWebhook(SECRET).sign("msg_std_1", new Date(NOW_MS), BODY);
    const result = source.verify(signed("msg_std_1", NOW_S, signature, BODY), NOW_MS + 1_000);
    expect(result).toMatchObject({ ok: true, events: [{ id: "msg_std_1", fields: { data: { phone: "+14155550142" } } }] });
  });

  it("accepts a signature made by the svix package", () => {
    const signature = new SvixWebhook(SECRET).sign("msg_svix_1", new Date(NOW_MS), BODY);
    const result = source.verify(signed("msg_svix_1", NOW_S, signature, BODY), NOW_MS + 1_000);
    expect(result).toMatchObject({ ok: true, events: [{ id: "msg_svix_1" }] });
  });

  it("accepts a signature computed from the spec's recipe with Node crypto", () => {
    const signature = signIndependently(SECRET, "msg_node_1", NOW_S, BODY);
    expect(source.verify(signed("msg_node_1", NOW_S, signature, BODY), NOW_MS).ok).toBe(true);
  });

  it("accepts a header listing a garbage v1 entry and a v2 entry before the valid one", () => {
    const valid = signIndependently(SECRET, "msg_multi", NOW_S, BODY);
    const header = `v1,AAAA v2,xyz ${valid}`;
    expect(source.verify(signed("msg_multi", NOW_S, header, BODY), NOW_MS).ok).toBe(true);
  });

  it("accepts the valid entry wherever it stands in the list", () => {
    const valid = signIndependently(SECRET, "msg_multi", NOW_S, BODY);
    expect(source.verify(signed("msg_multi", NOW_S, `${valid} v1,AAAA`, BODY), NOW_MS).ok).toBe(true);
    expect(source.verify(signed("msg_multi", NOW_S, `v1,AAAA ${valid} v2,xyz`, BODY), NOW_MS).ok).toBe(true);
  });

  it("refuses a header whose entries are all wrong", () => {
    const otherBody = signIndependently(SECRET, "msg_multi", NOW_S, '{"type":"other"}');
    const header = `v1,AAAA v2,xyz ${otherBody}`;
    expect(rejection(source.verify(signed("msg_multi", NOW_S, header, BODY), NOW_MS))).toEqual({ status: 401, reason: "bad_signature" });
  });

  it("refuses the valid signature value when it is not labelled v1", () => {
    const value = signIndependently(SECRET, "msg_v2", NOW_S, BODY).slice("v1,".length);
    expect(rejection(source.verify(signed("msg_v2", NOW_S, `v2,${value}`, BODY), NOW_MS))?.status).toBe(401);
  });

  it("refuses a signature for another webhook-id (the id is signed)", () => {
    const signature = signIndependently(SECRET, "msg_original", NOW_S, BODY);
    expect(rejection(source.verify(signed("msg_replayed", NOW_S, signature, BODY), NOW_MS))).toEqual({
      status: 401,
      reason: "bad_signature",
    });
  });

  it("refuses a correctly signed request whose timestamp is 6 minutes old", () => {
    const timestampS = NOW_S - 6 * 60;
    const signature = signIndependently(SECRET, "msg_old", timestampS, BODY);
    expect(rejection(source.verify(signed("msg_old", timestampS, signature, BODY), NOW_MS))).toEqual({
      status: 401,
      reason: "stale_timestamp",
    });
  });

  it("refuses a correctly signed request whose timestamp is 6 minutes ahead", () => {
    const timestampS = NOW_S + 6 * 60;
    const signature = signIndependently(SECRET, "msg_future", timestampS, BODY);
    expect(rejection(source.verify(signed("msg_future", timestampS, signature, BODY), NOW_MS))).toEqual({
      status: 401,
      reason: "stale_timestamp",
    });
  });

  it("accepts a correctly signed request 4 minutes old or 4 minutes ahead", () => {
    for (const timestampS of [NOW_S - 4 * 60, NOW_S + 4 * 60]) {
      const signature = signIndependently(SECRET, "msg_window", timestampS, BODY);
      expect(source.verify(signed("msg_window", timestampS, signature, BODY), NOW_MS).ok).toBe(true);
    }
  });

  it("verifies with a secret configured as bare base64, without the whsec_ prefix", () => {
    const bare = standardWebhooksSource({ id: "std", secrets: [SECRET.slice("whsec_".length)] });
    const signature = signIndependently(SECRET, "msg_bare", NOW_S, BODY);
    expect(bare.verify(signed("msg_bare", NOW_S, signature, BODY), NOW_MS).ok).toBe(true);
  });

  it("accepts signatures from either secret while two are configured for rotation, and no others", () => {
    const rotating = standardWebhooksSource({ id: "std", secrets: [SECRET, OTHER_SECRET] });
    const byOld = signIndependently(SECRET, "msg_rot", NOW_S, BODY);
    const byNew = signIndependently(OTHER_SECRET, "msg_rot", NOW_S, BODY);
    const byStranger = signIndependently(SPEC_SECRET, "msg_rot", NOW_S, BODY);
    expect(rotating.verify(signed("msg_rot", NOW_S, byOld, BODY), NOW_MS).ok).toBe(true);
    expect(rotating.verify(signed("msg_rot", NOW_S, byNew, BODY), NOW_MS).ok).toBe(true);
    expect(rejection(rotating.verify(signed("msg_rot", NOW_S, byStranger, BODY), NOW_MS))?.status).toBe(401);
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])(
    "refuses a request without the %s header as missing credentials",
    (name) => {
      const headers: Record<string, string> = {
        "webhook-id": "msg_missing",
        "webhook-timestamp": String(NOW_S),
        "webhook-signature": signIndependently(SECRET, "msg_missing", NOW_S, BODY),
      };
      delete headers[name];
      expect(rejection(source.verify(webhook(headers, BODY), NOW_MS))).toEqual({ status: 401, reason: "missing_credentials" });
    },
  );

  it("verifies the signature over the raw body bytes, even bytes that are not valid UTF-8", () => {
    // A sender that signs the bytes it sends (as the spec says) and whose body holds a Latin-1 "é".
    const body = Buffer.concat([Buffer.from('{"name":"Jos'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const signature = signIndependently(SECRET, "msg_bytes", NOW_S, body);
    const result = source.verify(signed("msg_bytes", NOW_S, signature, body), NOW_MS);
    expect(rejection(result)?.status).not.toBe(401);
  });
});

describe("standardWebhooksSource payloads", () => {
  it("refuses a correctly signed body that is not JSON with 400", () => {
    const body = "type=contact.updated&phone=%2B14155550142";
    const signature = signIndependently(SECRET, "msg_form", NOW_S, body);
    expect(rejection(source.verify(signed("msg_form", NOW_S, signature, body), NOW_MS))?.status).toBe(400);
  });

  it("makes webhook-id the event id and the parsed body its fields", () => {
    const signature = signIndependently(SECRET, "msg_2Xy9ZQ", NOW_S, BODY);
    expect(source.verify(signed("msg_2Xy9ZQ", NOW_S, signature, BODY), NOW_MS)).toEqual({
      ok: true,
      events: [{ id: "msg_2Xy9ZQ", fields: JSON.parse(BODY) }],
    });
  });
});

describe("signatureHeaders: svix-* names as aliases of webhook-*", () => {
  it.each([
    [
      "webhook-* only",
      { "webhook-id": "w", "webhook-timestamp": "1", "webhook-signature": "v1,w" },
      { id: "w", timestamp: "1", signature: "v1,w" },
    ],
    ["svix-* only", { "svix-id": "s", "svix-timestamp": "2", "svix-signature": "v1,s" }, { id: "s", timestamp: "2", signature: "v1,s" }],
    [
      "both: each svix- header wins, as in the svix library",
      {
        "svix-id": "s",
        "svix-timestamp": "2",
        "svix-signature": "v1,s",
        "webhook-id": "w",
        "webhook-timestamp": "1",
        "webhook-signature": "v1,w",
      },
      { id: "s", timestamp: "2", signature: "v1,s" },
    ],
    [
      "a mixed set: each header from whichever name carries it",
      { "svix-id": "s", "webhook-timestamp": "1", "svix-signature": "v1,s" },
      { id: "s", timestamp: "1", signature: "v1,s" },
    ],
    [
      "an empty svix- header still wins (and then counts as missing)",
      { "svix-id": "", "webhook-id": "w" },
      { id: "", timestamp: undefined, signature: undefined },
    ],
    ["none", {}, { id: undefined, timestamp: undefined, signature: undefined }],
  ])("%s", (_why, headers, expected) => {
    expect(signatureHeaders(headers)).toEqual(expected);
  });
});

describe("standardWebhooksSource with svix-* headers", () => {
  // Real time: the svix library checks the timestamp against the clock.
  const nowS = () => Math.floor(Date.now() / 1000);
  const valid = (id: string, timestampS: number) => ({
    id,
    timestamp: String(timestampS),
    signature: signIndependently(SECRET, id, timestampS, BODY),
  });
  const svix = (t: { id: string; timestamp: string; signature: string }) => ({
    "svix-id": t.id,
    "svix-timestamp": t.timestamp,
    "svix-signature": t.signature,
  });
  const std = (t: { id: string; timestamp: string; signature: string }) => ({
    "webhook-id": t.id,
    "webhook-timestamp": t.timestamp,
    "webhook-signature": t.signature,
  });
  const svixLibraryAccepts = (headers: Record<string, string>) => {
    try {
      new SvixWebhook(SECRET).verify(BODY, headers);
      return true;
    } catch {
      return false;
    }
  };

  it("accepts svix-* only, signed by the svix package, and makes svix-id the event id", () => {
    const now = new Date();
    const signature = new SvixWebhook(SECRET).sign("msg_svix_only", now, BODY);
    const headers = { "svix-id": "msg_svix_only", "svix-timestamp": String(Math.floor(now.getTime() / 1000)), "svix-signature": signature };
    expect(source.verify(webhook(headers, BODY), now.getTime())).toMatchObject({ ok: true, events: [{ id: "msg_svix_only" }] });
  });

  type Case = [string, () => Record<string, string>, true | VerifyReason];
  type VerifyReason = "missing_credentials" | "bad_signature" | "stale_timestamp";
  it.each<Case>([
    ["svix-* only, valid", () => svix(valid("m1", nowS())), true],
    ["svix-* only, a wrong signature", () => svix({ ...valid("m1", nowS()), signature: "v1,bm90IGl0" }), "bad_signature"],
    ["svix-* only, signed for another id", () => svix({ ...valid("m1", nowS()), id: "m2" }), "bad_signature"],
    ["svix-* only, stale", () => svix(valid("m1", nowS() - 6 * 60)), "stale_timestamp"],
    ["svix-id and svix-timestamp, no signature", () => ({ "svix-id": "m1", "svix-timestamp": String(nowS()) }), "missing_credentials"],
    [
      "svix-id and svix-signature, no timestamp",
      () => ({ "svix-id": "m1", "svix-signature": valid("m1", nowS()).signature }),
      "missing_credentials",
    ],
    [
      "svix-timestamp and svix-signature, no id",
      () => ({ "svix-timestamp": String(nowS()), "svix-signature": valid("m1", nowS()).signature }),
      "missing_credentials",
    ],
    ["both sets, both valid", () => ({ ...svix(valid("m1", nowS())), ...std(valid("m1", nowS())) }), true],
    [
      "svix-* valid, webhook-* garbage: svix wins",
      () => ({ ...svix(valid("m1", nowS())), ...std({ id: "x", timestamp: "1", signature: "v1,AAAA" }) }),
      true,
    ],
    [
      "webhook-* valid, svix-signature wrong: svix wins",
      () => ({ ...std(valid("m1", nowS())), "svix-signature": "v1,bm90IGl0" }),
      "bad_signature",
    ],
    [
      "webhook-* valid, svix-id another id: the signed id is the one used",
      () => ({ ...std(valid("m1", nowS())), "svix-id": "m2" }),
      "bad_signature",
    ],
    [
      "webhook-* valid, a stale svix-timestamp: the age check is not skipped",
      () => ({ ...std(valid("m1", nowS())), "svix-timestamp": String(nowS() - 6 * 60) }),
      "stale_timestamp",
    ],
    ["webhook-* valid, an empty svix-signature", () => ({ ...std(valid("m1", nowS())), "svix-signature": "" }), "missing_credentials"],
    [
      "a mixed set that is valid as a whole",
      () => {
        const t = valid("m1", nowS());
        return { "svix-id": t.id, "webhook-timestamp": t.timestamp, "svix-signature": t.signature };
      },
      true,
    ],
  ])("%s", (_why, headersOf, expected) => {
    const headers = headersOf();
    const result = source.verify(webhook(headers, BODY), Date.now());
    if (expected === true) expect(result.ok).toBe(true);
    else expect(rejection(result)).toEqual({ status: 401, reason: expected });
    // Same verdict as the svix reference library on the same headers.
    expect(result.ok).toBe(svixLibraryAccepts(headers));
  });
});
