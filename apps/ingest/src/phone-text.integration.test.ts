import type { ConsumedRecord } from "@callbridge/kafka";
import { DLQ_HEADERS } from "@callbridge/schemas";
import { DEV_SECRETS, sendWebhook, standardWebhook } from "@callbridge/webhook-samples";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestIngest, type TestIngest } from "./test-support/start-ingest.js";
import { readTopic } from "./test-support/topic-reader.js";

// Phone text as address books and CRMs paste it: cleaned (Unicode Cf removed, separators and
// digits folded, a bracketed country code unwrapped) before the strict parse. Webhooks over HTTP
// into a real ingest; records read back from the real broker.

const brokers = inject("kafkaBrokers");

const ROUTES = `
sources:
  standard:
    kind: standard-webhooks
    secret: ${DEV_SECRETS.standardWebhooksSecret}
routes:
  - name: us
    source: standard
    when: { type: call.us }
    campaign_id: campaign-us
    to: data.phone
    default_country: US
    is_testing: true
  - name: th
    source: standard
    when: { type: call.th }
    campaign_id: campaign-th
    to: data.phone
    default_country: TH
    is_testing: true
`;

/** [why, phone text as sent, route (default country), the E.164 number called] */
const ACCEPTED: readonly [string, string, "us" | "th", string][] = [
  ["LRO ... PDF around the number (address book paste)", "\u202D+1 (415) 555-0101\u202C", "us", "+14155550101"],
  ["a leading left-to-right mark", "\u200E+1 (415) 555-0101", "us", "+14155550101"],
  ["a leading right-to-left mark on a national number", "\u200F(415) 555-0102", "us", "+14155550102"],
  ["a leading zero-width space", "\u200B+1 (415) 555-0103", "us", "+14155550103"],
  ["a leading byte order mark", "\uFEFF+1 (415) 555-0104", "us", "+14155550104"],
  ["(+66) with the default country TH", "(+66)89-900-9000", "th", "+66899009000"],
  ["a Thai national number with the default country TH", "089-900-9001", "th", "+66899009001"],
  ["(+44) with the default country US", "(+44) 20 7946 0958", "us", "+442079460958"],
  ["fullwidth brackets, plus and digits", "（＋４４） ２０ ７９４６ ０９６１", "us", "+442079460961"],
  ["[+44] with the default country US", "[+44] 20 7946 0959", "us", "+442079460959"],
  ["a fullwidth plus and fullwidth digits", "＋１ ４１５ ５５５ ０１０５", "us", "+14155550105"],
  ["a heavy plus sign", "\u27951 415 555 0106", "us", "+14155550106"],
  ["Arabic-Indic digits", "+١ ٤١٥ ٥٥٥ ٠١٠٧", "us", "+14155550107"],
  ["no-break spaces between groups", "+1\u00A0415\u00A0555\u00A00108", "us", "+14155550108"],
  ["a line separator between groups", "+1\u2028415 555 0109", "us", "+14155550109"],
];

/** [why, phone text as sent, route]: cleaning does not make these numbers. */
const DEAD_LETTERED: readonly [string, string, "us" | "th"][] = [
  ["invisible marks around a number too short to dial", "\u202D555-0142\u202C", "us"],
  ["a vanity number behind a left-to-right mark", "\u200E1-800-FLOWERS", "us"],
  ["a bracketed UK code in front of a US number", "(+44) 415 555 0110", "us"],
  ["only invisible characters", "\u200E\u200B\uFEFF", "us"],
];

describe("phone text is cleaned before it is parsed", () => {
  let t: TestIngest;
  const answers = new Map<string, { status: number; body: unknown }>();
  let requests: ConsumedRecord[];
  let letters: ConsumedRecord[];

  beforeAll(async () => {
    t = await startTestIngest(brokers, { routesYaml: ROUTES });
    const all = [...ACCEPTED.map(([why, phone, route]) => [why, phone, route]), ...DEAD_LETTERED];
    await Promise.all(
      all.map(async ([why, phone, route], i) => {
        const res = await sendWebhook(
          t.url,
          standardWebhook({
            sourceId: "standard",
            secret: DEV_SECRETS.standardWebhooksSecret,
            id: `msg_${i}`,
            payload: { type: `call.${route}`, data: { phone } },
          }),
        );
        answers.set(why as string, { status: res.status, body: await res.json() });
      }),
    );
    requests = await readTopic(brokers, t.topics.callRequests);
    letters = await readTopic(brokers, t.topics.deadLetters);
  });
  afterAll(() => t?.stop());

  const byIdempotencyKey = (records: ConsumedRecord[], key: string) =>
    records
      .map((r) => ({ record: r, value: JSON.parse(String(r.value)) as Record<string, unknown> }))
      .find((r) => r.value.idempotency_key === key);

  it.each(ACCEPTED.map((row, i) => [...row, i] as const))("accepts %s", (why, _phone, route, e164, i) => {
    expect(answers.get(why)).toEqual({ status: 202, body: { events: 1, accepted: 1, ignored: 0, duplicate: 0, invalid: 0, opt_outs: 0 } });
    const found = byIdempotencyKey(requests, `standard:msg_${i}:${route}`);
    expect(found?.value.to).toBe(e164);
    expect(String(found?.record.key)).toBe(`campaign-${route}:${e164}`);
  });

  it.each(DEAD_LETTERED.map((row, i) => [...row, ACCEPTED.length + i] as const))(
    "dead-letters %s as invalid_phone, keeping the raw text",
    (why, phone, route, i) => {
      expect(answers.get(why)).toEqual({
        status: 202,
        body: { events: 1, accepted: 0, ignored: 0, duplicate: 0, invalid: 1, opt_outs: 0 },
      });
      const found = byIdempotencyKey(letters, `standard:msg_${i}:${route}`);
      expect(found?.record.headers).toMatchObject({
        [DLQ_HEADERS.reason]: "invalid_phone",
        [DLQ_HEADERS.errorMessage]: "no valid phone number at data.phone (1 candidate rejected)",
      });
      // The letter holds the text exactly as sent, invisible characters included, to be fixed and replayed.
      expect(found?.value.to).toBe(phone);
      expect(found?.value.original_event).toEqual({ type: `call.${route}`, data: { phone } });
    },
  );

  it("writes exactly one record per accepted number and one letter per unusable one", () => {
    expect(requests).toHaveLength(ACCEPTED.length);
    expect(letters).toHaveLength(DEAD_LETTERED.length);
  });
});
