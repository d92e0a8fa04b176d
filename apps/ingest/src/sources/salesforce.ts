import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { InboundWebhook, Source, SourceEvent, SourceReply, VerifyResult } from "./source.js";
import { describeXmlReferenceProblem, findXmlReferenceProblem, xmlReferenceDecoder } from "./xml-references.js";

export interface SalesforceSourceConfig {
  readonly id: string;
  /** Orgs allowed to send (15- or 18-character ids). */
  readonly organizationIds: readonly string[];
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  // Phone numbers and ids must stay the strings Salesforce sent, never become numbers.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === "Notification",
  // Every text and attribute value decoded as XML 1.0 §4.1/§4.6 require: `&#43;` is "+".
  entityDecoder: xmlReferenceDecoder,
});

const SOAP_ENVELOPE = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const ACK = SOAP_ENVELOPE('<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>');

/**
 * Salesforce Outbound Messages: a SOAP envelope with up to 100 notifications. There is no
 * signature; the `OrganizationId` must be on the allowlist. Salesforce counts a delivery as
 * done only on HTTP 200 with `<Ack>true</Ack>`, so that answer is given only after every
 * record is written; anything else makes it retry.
 */
export function salesforceSource(config: SalesforceSourceConfig): Source {
  const allowed = new Set(config.organizationIds.map(orgKey));
  return {
    id: config.id,
    kind: "salesforce-outbound",
    acceptsContentType: (mediaType) => mediaType === "text/xml" || mediaType === "application/soap+xml",
    accepted: (): SourceReply => ({ status: 200, contentType: "text/xml; charset=utf-8", body: ACK }),
    refused: (status, message, headers): SourceReply => ({
      status,
      contentType: "text/xml; charset=utf-8",
      body: SOAP_ENVELOPE(
        `<soapenv:Fault><faultcode>soapenv:${status >= 500 ? "Server" : "Client"}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>`,
      ),
      ...(headers ? { headers } : {}),
    }),
    verify(webhook: InboundWebhook): VerifyResult {
      const xml = webhook.rawBody.toString("utf8");
      if (/<!DOCTYPE/i.test(xml)) return { ok: false, rejection: { status: 400, reason: "document type declarations are not accepted" } };
      const referenceProblem = findXmlReferenceProblem(xml);
      if (referenceProblem) return { ok: false, rejection: { status: 400, reason: describeXmlReferenceProblem(referenceProblem) } };
      if (XMLValidator.validate(xml) !== true) return { ok: false, rejection: { status: 400, reason: "the body is not well-formed XML" } };
      const notifications = (parser.parse(xml) as Envelope)?.Envelope?.Body?.notifications;
      if (typeof notifications !== "object" || notifications === null) {
        return {
          ok: false,
          rejection: { status: 400, reason: "the body is not a Salesforce Outbound Message (no notifications element)" },
        };
      }
      const organizationId = text(notifications.OrganizationId);
      if (organizationId === undefined || !allowed.has(orgKey(organizationId))) {
        return { ok: false, rejection: { status: 401, reason: "unknown_organization" } };
      }
      const list = notifications.Notification ?? [];
      if (list.length === 0 || list.length > 100) {
        return { ok: false, rejection: { status: 400, reason: `an Outbound Message carries 1 to 100 notifications, not ${list.length}` } };
      }
      const events: SourceEvent[] = [];
      for (const [i, notification] of list.entries()) {
        const id = text(notification?.Id);
        if (!id) return { ok: false, rejection: { status: 400, reason: `notification [${i}] has no Id` } };
        events.push({
          id,
          fields: {
            OrganizationId: organizationId,
            ActionId: text(notifications.ActionId) ?? null,
            NotificationId: id,
            sObject: sObjectFields(notification?.sObject),
          },
        });
      }
      return { ok: true, events };
    },
  };
}

interface Envelope {
  Envelope?: {
    Body?: { notifications?: { OrganizationId?: unknown; ActionId?: unknown; Notification?: { Id?: unknown; sObject?: unknown }[] } };
  };
}

/** `<sObject xsi:type="sf:Lead"><sf:Phone>..</sf:Phone>` -> `{ type: "Lead", Phone: ".." }`; `xsi:nil` fields are null. */
function sObjectFields(node: unknown): Record<string, unknown> {
  if (typeof node !== "object" || node === null) return {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "@_type" && typeof value === "string") fields.type = value.replace(/^.*:/, "");
    else if (!key.startsWith("@_")) fields[key] = fieldValue(value);
  }
  return fields;
}

function fieldValue(value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const element = value as Record<string, unknown>;
    if (element["@_nil"] === "true") return null;
    if ("#text" in element) return element["#text"];
    return sObjectFields(element);
  }
  return value;
}

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as { "#text"?: unknown })["#text"] === "string") {
    return (value as { "#text": string })["#text"];
  }
  return undefined;
}

/** 15- and 18-character ids name the same org; the first 15 characters are the id. */
function orgKey(id: string): string {
  return id.slice(0, 15);
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
