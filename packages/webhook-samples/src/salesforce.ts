import type { SignedWebhook } from "./signed-webhook.js";

export interface SalesforceNotification {
  /** Notification id: Salesforce keeps it across retries. */
  readonly id: string;
  readonly objectType: string;
  /** sObject fields as Salesforce sends them (`Id`, `Phone`, ...); null is sent as xsi:nil. */
  readonly fields: Readonly<Record<string, string | null>>;
}

/** A Salesforce Outbound Message: SOAP 1.1, 1 to 100 notifications. It carries no signature. */
export function salesforceOutboundMessage(
  sourceId: string,
  organizationId: string,
  notifications: readonly SalesforceNotification[],
): SignedWebhook {
  const items = notifications
    .map((n) => {
      const fields = Object.entries(n.fields)
        .map(([name, value]) => (value === null ? `<sf:${name} xsi:nil="true"/>` : `<sf:${name}>${escapeXml(value)}</sf:${name}>`))
        .join("");
      return `<Notification><Id>${escapeXml(n.id)}</Id><sObject xsi:type="sf:${n.objectType}" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">${fields}</sObject></Notification>`;
    })
    .join("");
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>${escapeXml(organizationId)}</OrganizationId>
<ActionId>04k000000000001AAA</ActionId>
<SessionId xsi:nil="true"/>
<EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/${escapeXml(organizationId.slice(0, 15))}</EnterpriseUrl>
<PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/${escapeXml(organizationId.slice(0, 15))}</PartnerUrl>
${items}
</notifications>
</soapenv:Body>
</soapenv:Envelope>`;
  return {
    sourceId,
    path: `/webhooks/${sourceId}`,
    body,
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: '""' },
  };
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
