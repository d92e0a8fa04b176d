import { XMLParser } from "fast-xml-parser";
import { describe, expect, it } from "vitest";
import { salesforceSource } from "./salesforce.js";
import type { InboundWebhook, VerifyResult } from "./source.js";

const ORG_18 = "00D000000000001EAA";
const ORG_15 = "00D000000000001";
const ACTION_ID = "04k000000000001AAA";
const NOW_MS = 1_700_000_000_000;

interface LeadNotification {
  readonly id: string;
  readonly leadId: string;
  readonly phone: string;
  readonly firstName: string;
}

const notifications: LeadNotification[] = [
  { id: "04l000000000001AAA", leadId: "00Q000000000001AAA", phone: "(415) 555-0142", firstName: "Ada" },
  { id: "04l000000000002AAA", leadId: "00Q000000000002AAA", phone: "4155550142", firstName: "Grace" },
];

/** A SOAP 1.1 Outbound Message as Salesforce sends it (structure from the per-message WSDL). */
function outboundMessage({
  organizationId = ORG_18,
  items = notifications,
}: {
  organizationId?: string;
  items?: readonly LeadNotification[];
} = {}): string {
  const notificationXml = items
    .map(
      (n) => `
   <Notification>
    <Id>${n.id}</Id>
    <sObject xsi:type="sf:Lead" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${n.leadId}</sf:Id>
     <sf:FirstName>${n.firstName}</sf:FirstName>
     <sf:MobilePhone xsi:nil="true"/>
     <sf:Phone>${n.phone}</sf:Phone>
    </sObject>
   </Notification>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${organizationId}</OrganizationId>
   <ActionId>${ACTION_ID}</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/59.0/${ORG_15}</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/59.0/${ORG_15}</PartnerUrl>${notificationXml}
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`;
}

function webhook(body: string): InboundWebhook {
  return {
    method: "POST",
    url: "https://ingest.example.com/webhooks/salesforce",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' },
    rawBody: Buffer.from(body, "utf8"),
  };
}

function rejection(result: VerifyResult) {
  return result.ok ? undefined : result.rejection;
}

/** Reads replies back as a SOAP client would: prefixes kept (so namespaces can be checked), character references decoded. */
const replyParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@_", parseTagValue: false, htmlEntities: true });

const source = salesforceSource({ id: "salesforce", organizationIds: [ORG_18] });

describe("salesforceSource verify", () => {
  it("turns an Outbound Message with two notifications into two events keyed by notification Id", () => {
    const result = source.verify(webhook(outboundMessage()), NOW_MS);
    expect(result).toEqual({
      ok: true,
      events: [
        {
          id: "04l000000000001AAA",
          fields: {
            OrganizationId: ORG_18,
            ActionId: ACTION_ID,
            NotificationId: "04l000000000001AAA",
            sObject: { type: "Lead", Id: "00Q000000000001AAA", FirstName: "Ada", MobilePhone: null, Phone: "(415) 555-0142" },
          },
        },
        {
          id: "04l000000000002AAA",
          fields: {
            OrganizationId: ORG_18,
            ActionId: ACTION_ID,
            NotificationId: "04l000000000002AAA",
            sObject: { type: "Lead", Id: "00Q000000000002AAA", FirstName: "Grace", MobilePhone: null, Phone: "4155550142" },
          },
        },
      ],
    });
  });

  it("keeps phone numbers exactly as sent, as strings, even when they look like numbers", () => {
    const phones = ["(415) 555-0142", "+44 20 7946 0958", "4155550142", "02079460958"];
    const items = phones.map((phone, i) => ({ id: `04l00000000000${i}AAA`, leadId: `00Q00000000000${i}AAA`, phone, firstName: "Ada" }));
    const result = source.verify(webhook(outboundMessage({ items })), NOW_MS);
    if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejection)}`);
    const sent = result.events.map((event) => (event.fields as { sObject: { Phone: unknown } }).sObject.Phone);
    expect(sent).toEqual(phones);
    for (const phone of sent) expect(typeof phone).toBe("string");
  });

  it("accepts the 18-character org id when configured with the 15-character one", () => {
    const short = salesforceSource({ id: "salesforce", organizationIds: [ORG_15] });
    expect(short.verify(webhook(outboundMessage({ organizationId: ORG_18 })), NOW_MS).ok).toBe(true);
  });

  it("accepts the 15-character org id when configured with the 18-character one", () => {
    expect(source.verify(webhook(outboundMessage({ organizationId: ORG_15 })), NOW_MS).ok).toBe(true);
  });

  it("refuses an org not on the allowlist as unknown_organization", () => {
    const result = source.verify(webhook(outboundMessage({ organizationId: "00D000000000002EAA" })), NOW_MS);
    expect(rejection(result)).toEqual({ status: 401, reason: "unknown_organization" });
  });

  it("refuses malformed XML with 400", () => {
    const truncated = outboundMessage().replace("</soapenv:Envelope>", "");
    expect(rejection(source.verify(webhook(truncated), NOW_MS))?.status).toBe(400);
    expect(rejection(source.verify(webhook("<notifications><OrganizationId>x</notifications>"), NOW_MS))?.status).toBe(400);
  });

  it("refuses a document with a DOCTYPE (entity expansion) with 400", () => {
    const withDoctype = outboundMessage().replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
    );
    expect(rejection(source.verify(webhook(withDoctype), NOW_MS))?.status).toBe(400);
  });

  it("refuses an envelope without a notifications element with 400", () => {
    const empty =
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body></soapenv:Body></soapenv:Envelope>';
    expect(rejection(source.verify(webhook(empty), NOW_MS))?.status).toBe(400);
  });

  it("refuses an allowlisted message that holds no Notification with 400", () => {
    expect(rejection(source.verify(webhook(outboundMessage({ items: [] })), NOW_MS))?.status).toBe(400);
  });
});

describe("salesforceSource character references (XML 1.0 §4.1)", () => {
  const one = (phone: string, firstName = "Ada") => [{ id: "04l000000000001AAA", leadId: "00Q000000000001AAA", phone, firstName }];
  const sObjectOf = (result: VerifyResult) => {
    if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejection)}`);
    return (result.events[0] as { fields: { sObject: Record<string, unknown> } }).fields.sObject;
  };

  it.each([
    ["a decimal plus", "&#43;1 415 555 0132", "+1 415 555 0132"],
    ["a hex plus", "&#x2B;1 415 555 0132", "+1 415 555 0132"],
    ["every character as a reference", "&#43;&#49;&#52;&#49;&#53;&#53;&#53;&#53;&#48;&#49;&#51;&#50;", "+14155550132"],
    ["directional marks written as references", "&#x202D;+1 415 555 0132&#x202C;", "\u202D+1 415 555 0132\u202C"],
    ["the predefined entities", "&lt;none&gt; &amp; &apos;n/a&apos;", "<none> & 'n/a'"],
    ["an escaped reference, which stays text", "&amp;#43;1", "&#43;1"],
  ])("decodes %s in a phone field", (_why, sent, decoded) => {
    expect(sObjectOf(source.verify(webhook(outboundMessage({ items: one(sent) })), NOW_MS)).Phone).toBe(decoded);
  });

  it.each([
    ["a Latin-1 letter in decimal", "Jos&#233;", "José"],
    ["a letter in hex", "&#x4A;os&#xE9;", "José"],
    ["an astral character in decimal and hex", "Ada &#128512;&#x1F680;", "Ada 😀🚀"],
    ["CJK characters", "&#x674E;&#x5A1C;", "李娜"],
  ])("decodes %s in a name field", (_why, sent, decoded) => {
    expect(sObjectOf(source.verify(webhook(outboundMessage({ items: one("+14155550132", sent) })), NOW_MS)).FirstName).toBe(decoded);
  });

  it("decodes references in every field: org id, notification id, sObject fields, the xsi:type attribute", () => {
    const xml = outboundMessage({ organizationId: "00D000000000001&#69;AA" })
      .replace("<Id>04l000000000001AAA</Id>", "<Id>04l0000000000&#48;1AAA</Id>")
      .replace("<sf:Id>00Q000000000001AAA</sf:Id>", "<sf:Id>00Q&#x30;00000000001AAA</sf:Id>")
      .replace('xsi:type="sf:Lead"', 'xsi:type="sf:&#76;ead"');
    const result = source.verify(webhook(xml), NOW_MS);
    if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.rejection)}`);
    expect(result.events[0]).toMatchObject({
      id: "04l000000000001AAA",
      fields: { OrganizationId: ORG_18, NotificationId: "04l000000000001AAA", sObject: { type: "Lead", Id: "00Q000000000001AAA" } },
    });
  });

  it.each([
    ["a null character", "&#0;", '"&#0;" refers to U+0000'],
    ["a C0 control", "&#x1B;", '"&#x1B;" refers to U+001B'],
    ["a surrogate", "&#xD83D;", '"&#xD83D;" refers to U+D83D'],
    ["a code point past U+10FFFF", "&#x110000;", '"&#x110000;" refers to a number beyond U+10FFFF'],
    ["a phone number written as one reference (not echoed)", "&#14155550132;", '"&#141555…" refers to a number beyond U+10FFFF'],
    ["an upper-case X", "&#X2B;1", '"&#X2B;" is not a well-formed reference'],
    ["an HTML entity", "&nbsp;", '"&nbsp;" is not one of the five predefined XML entities'],
  ])("refuses %s with a 400 that says which reference is wrong", (_why, sent, message) => {
    const refused = rejection(source.verify(webhook(outboundMessage({ items: one(sent) })), NOW_MS));
    expect(refused?.status).toBe(400);
    expect(refused?.reason).toContain(message);
    expect(refused?.reason).not.toContain("4155550132");
  });

  it("still refuses a DOCTYPE before looking at references, even one whose entities are referenced", () => {
    const withDoctype = outboundMessage({ items: one("&xxe;") }).replace(
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE x [<!ENTITY xxe "+14155550132">]>',
    );
    expect(rejection(source.verify(webhook(withDoctype), NOW_MS))).toEqual({
      status: 400,
      reason: "document type declarations are not accepted",
    });
  });
});

describe("salesforceSource replies", () => {
  it("acknowledges with HTTP 200 and <Ack>true</Ack> in an outbound-namespace notificationsResponse", () => {
    const reply = source.accepted({ events: 2, accepted: 2, ignored: 0, duplicate: 0, invalid: 0, opt_outs: 0 });
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/xml\b/);
    const parsed = replyParser.parse(reply.body);
    const response = parsed["soapenv:Envelope"]["soapenv:Body"].notificationsResponse;
    expect(parsed["soapenv:Envelope"]["@_xmlns:soapenv"]).toBe("http://schemas.xmlsoap.org/soap/envelope/");
    expect(response["@_xmlns"]).toBe("http://soap.sforce.com/2005/09/outbound");
    expect(response.Ack).toBe("true");
  });

  it("refuses with a SOAP Fault whose faultstring carries the message XML-escaped", () => {
    const message = `unknown org <00D> & "friends" 'quoted'`;
    const reply = source.refused(401, message);
    expect(reply.status).toBe(401);
    expect(reply.contentType).toMatch(/^text\/xml\b/);
    expect(reply.body).not.toContain("<00D>");
    const fault = replyParser.parse(reply.body)["soapenv:Envelope"]["soapenv:Body"]["soapenv:Fault"];
    expect(fault.faultcode).toBe("soapenv:Client");
    expect(fault.faultstring).toBe(message);
  });
});
