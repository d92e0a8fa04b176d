import {
  DEV_SECRETS,
  hubspotPhoneChangeEvent,
  hubspotWebhook,
  pipedrivePersonWebhook,
  type SignedWebhook,
  salesforceOutboundMessage,
  standardWebhook,
} from "@callbridge/webhook-samples";

/** A call request a demo webhook makes: the example route that maps it, and the number it calls. */
export interface DemoRequest {
  readonly route: string;
  readonly to: string;
}

/** A sample webhook, with the call requests the example routes make of it (none for the unusable number). */
export interface DemoWebhook {
  readonly label: string;
  readonly webhook: SignedWebhook;
  readonly requests: readonly DemoRequest[];
}

/** Area codes for the demo's numbers: with 555-0100 to 555-0199 in each, a pool of 1,000. */
const DEMO_AREA_CODES = ["212", "310", "312", "415", "503", "617", "646", "702", "718", "917"];

/**
 * `count` different US numbers nobody has: 555-0100 to 555-0199 are reserved for fiction in
 * every area code. The API answers 409 to a call to a number whose last call is still queued or
 * active, so the numbers differ within a run, and a run takes the next `count` of the pool each
 * second: two runs share a number only about three minutes apart, long after their calls ended.
 */
export function demoNumbers(count: number, nowMs: number): string[] {
  const pool = DEMO_AREA_CODES.length * 100;
  const start = (Math.floor(nowMs / 1000) * count) % pool;
  return Array.from({ length: count }, (_, i) => {
    const index = (start + i) % pool;
    return `+1${DEMO_AREA_CODES[Math.floor(index / 100)]}555${String(100 + (index % 100)).padStart(4, "0")}`;
  });
}

/**
 * One webhook per source kind, each calling one of `phones` (six are used), and one with an
 * unusable number; `run` makes their ids unique. The routes are those of config/routes.example.yaml.
 */
export function demoWebhooks(ingestUrl: string, run: number, phones: readonly string[]): DemoWebhook[] {
  const phone = (i: number) => phones[i] ?? "";
  return [
    {
      label: "HubSpot app webhook (phone changed)",
      webhook: hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl }, [
        hubspotPhoneChangeEvent({ eventId: run, objectId: 9001, phone: phone(0) }),
      ]),
      requests: [{ route: "hubspot-phone-change", to: phone(0) }],
    },
    {
      label: "HubSpot workflow webhook",
      webhook: hubspotWebhook(
        { sourceId: "hubspot-workflows", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl },
        { id: `demo-${run}`, properties: { firstname: "Ada", phone: phone(1) } },
      ),
      requests: [{ route: "hubspot-workflow-contact", to: phone(1) }],
    },
    {
      label: "Standard Webhooks",
      webhook: standardWebhook({
        sourceId: "standard",
        secret: DEV_SECRETS.standardWebhooksSecret,
        id: `msg_demo_${run}`,
        payload: { type: "call.requested", data: { id: `lead-${run}`, name: "Grace", phone: phone(2) } },
      }),
      requests: [{ route: "standard-call-requested", to: phone(2) }],
    },
    {
      label: "Pipedrive person created",
      webhook: pipedrivePersonWebhook(
        { sourceId: "pipedrive", username: DEV_SECRETS.pipedriveUser, password: DEV_SECRETS.pipedrivePassword },
        { eventId: `demo-${run}`, personId: 77, name: "Alan", phones: [{ value: phone(3), primary: true }] },
      ),
      requests: [{ route: "pipedrive-new-person", to: phone(3) }],
    },
    {
      label: "Salesforce Outbound Message (2 leads)",
      webhook: salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
        {
          id: `04l${String(run).slice(-12)}AAA`,
          objectType: "Lead",
          fields: { Id: "00Q000000000001AAA", FirstName: "Katherine", Phone: phone(4) },
        },
        {
          id: `04l${String(run + 1).slice(-12)}AAB`,
          objectType: "Lead",
          fields: { Id: "00Q000000000002AAA", FirstName: "Dorothy", Phone: phone(5) },
        },
      ]),
      requests: [
        { route: "salesforce-lead", to: phone(4) },
        { route: "salesforce-lead", to: phone(5) },
      ],
    },
    {
      label: "HubSpot phone change with an unusable number",
      webhook: hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl }, [
        hubspotPhoneChangeEvent({ eventId: run + 1, objectId: 9002, phone: "call me maybe" }),
      ]),
      requests: [],
    },
  ];
}
