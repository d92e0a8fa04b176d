import type { ConsumedRecord } from "@callbridge/kafka";
import {
  DEV_SECRETS,
  type SalesforceNotification,
  type SignedWebhook,
  salesforceOutboundMessage,
  sendWebhook,
} from "@callbridge/webhook-samples";
import { describe, expect, inject, it } from "vitest";
import { ingestPerTest } from "./test-support/ingest-per-test.js";
import { readTopic } from "./test-support/topic-reader.js";

// Salesforce Outbound Messages whose values use XML character references (XML 1.0 §4.1):
// decoded in every field before routing; illegal ones answered with a SOAP fault (400).

const brokers = inject("kafkaBrokers");
const start = ingestPerTest(brokers);

/** An Outbound Message with one Lead whose Phone and FirstName are written as raw XML (references kept as sent). */
function leadWithRawXml(id: string, rawPhone: string, rawFirstName = "Ada"): SignedWebhook {
  const notification: SalesforceNotification = {
    id,
    objectType: "Lead",
    fields: { Id: "00Q000000000001AAA", FirstName: "RAW_FIRST_NAME", Phone: "RAW_PHONE", MobilePhone: null },
  };
  const message = salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [notification]);
  return { ...message, body: message.body.replace("RAW_PHONE", rawPhone).replace("RAW_FIRST_NAME", rawFirstName) };
}

const json = (record: ConsumedRecord) => JSON.parse(String(record.value)) as { to: string; payload: { first_name?: string } };

describe("Salesforce values with character references reach the call request decoded", () => {
  it.each([
    ["a decimal plus", "&#43;1 415 555 0132", "Ada", "+14155550132", "Ada"],
    ["a hex plus", "&#x2B;1 415 555 0133", "Ada", "+14155550133", "Ada"],
    ["directional marks written as references", "&#x202D;&#43;1 (415) 555-0134&#x202C;", "Ada", "+14155550134", "Ada"],
    ["a name with a decimal reference", "+1 415 555 0135", "Jos&#233;", "+14155550135", "José"],
    ["a name with astral references in decimal and hex", "+1 415 555 0136", "Ada &#128512;&#x1F680;", "+14155550136", "Ada 😀🚀"],
    ["a name with the predefined entities", "+1 415 555 0137", "Tom &amp; Jerry&apos;s", "+14155550137", "Tom & Jerry's"],
    ["an escaped reference, which stays text", "+1 415 555 0138", "&amp;#43;", "+14155550138", "&#43;"],
  ])("%s", async (_why, rawPhone, rawFirstName, e164, firstName) => {
    const t = await start();
    const res = await sendWebhook(t.url, leadWithRawXml("04l000000000001AAA", rawPhone, rawFirstName));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Ack>true</Ack>");
    const records = await readTopic(brokers, t.topics.callRequests);
    expect(records.map(json).map((r) => [r.to, r.payload.first_name])).toEqual([[e164, firstName]]);
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("decodes the sample builder's own escaping of & < > ' \" (which it writes as numeric references)", async () => {
    const t = await start();
    const message = salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
      { id: "04l000000000002AAA", objectType: "Lead", fields: { FirstName: `<Ada> & "Bob" 'Lovelace'`, Phone: "+1 415 555 0139" } },
    ]);
    expect(message.body).toContain("&#38;");
    expect((await sendWebhook(t.url, message)).status).toBe(200);
    const [record] = (await readTopic(brokers, t.topics.callRequests)) as [ConsumedRecord];
    expect(json(record).payload.first_name).toBe(`<Ada> & "Bob" 'Lovelace'`);
  });
});

describe("illegal references get a clear 400 SOAP fault and write nothing", () => {
  it.each([
    ["a null character", "&#0;", '"&#0;" refers to U+0000, which is not an XML character (XML 1.0 §2.2, §4.1 Legal Character)'],
    ["a C0 control", "&#x1B;", '"&#x1B;" refers to U+001B'],
    ["a code point past U+10FFFF", "&#x110000;", '"&#x110000;" refers to a number beyond U+10FFFF'],
    ["a huge decimal reference", "&#99999999999999999999;", '"&#999999…" refers to a number beyond U+10FFFF'],
    ["an HTML entity", "&nbsp;", '"&nbsp;" is not one of the five predefined XML entities'],
    ["an upper-case X", "&#X2B;", '"&#X2B;" is not a well-formed reference'],
  ])("%s", async (_why, rawFirstName, faultstring) => {
    const t = await start();
    const res = await sendWebhook(t.url, leadWithRawXml("04l000000000003AAA", "+1 415 555 0140", rawFirstName));
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("<faultcode>soapenv:Client</faultcode>");
    // The fault escapes < > & ' " in its message as numeric references; compare on the decoded text.
    const faultText = /<faultstring>(.*)<\/faultstring>/.exec(body)?.[1] ?? "";
    expect(faultText.replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))).toContain(faultstring);
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(0);
    expect(await readTopic(brokers, t.topics.deadLetters)).toHaveLength(0);
  });

  it("a DOCTYPE is still refused, so no entity is ever expanded", async () => {
    const t = await start();
    const message = leadWithRawXml("04l000000000004AAA", "&xxe;");
    const withDoctype = {
      ...message,
      body: message.body.replace("<soapenv:Envelope", '<!DOCTYPE x [<!ENTITY xxe "+14155550141">]><soapenv:Envelope'),
    };
    const res = await sendWebhook(t.url, withDoctype);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("document type declarations are not accepted");
    expect(await readTopic(brokers, t.topics.callRequests)).toHaveLength(0);
  });
});
