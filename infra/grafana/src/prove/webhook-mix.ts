// The webhooks of the load: a fixed mix over a cycle of 20 (about 15 calls and 5 refusals or
// dead letters) covering every source kind and every way the ingest says no.
import {
  DEV_SECRETS,
  type HubSpotSigning,
  hubspotPhoneChangeEvent,
  hubspotWebhook,
  type PipedriveAuth,
  pipedrivePersonWebhook,
  type SignedWebhook,
  salesforceOutboundMessage,
  standardWebhook,
} from "@callbridge/webhook-samples";

const AREA_CODES = [212, 646, 718, 917, 415, 510, 312, 773, 617, 202, 305, 512, 713, 206, 303, 404, 602, 702, 503, 615];
/** An Iridium number: libphonenumber knows no time zone for it, so the recipient guard suppresses it. */
const SATELLITE_NUMBER = "+881612345678";
const WRONG_STANDARD_SECRET = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==";

/** Fictional US numbers, a fresh one each time (555-0100..0199 in 20 area codes: 2,000 numbers). */
export class PhoneNumbers {
  private count = 0;

  next(): string {
    const n = this.count++;
    const area = AREA_CODES[n % AREA_CODES.length] ?? AREA_CODES[0];
    return `+1${area}555${String(100 + (Math.floor(n / AREA_CODES.length) % 100)).padStart(4, "0")}`;
  }
}

export interface LabelledWebhook {
  /** What the webhook is, and what the ingest should answer: the rows of the load's tally. */
  readonly label: string;
  readonly webhook: SignedWebhook;
}

export class WebhookMix {
  private readonly hubspot: HubSpotSigning;
  private readonly pipedrive: PipedriveAuth = {
    sourceId: "pipedrive",
    username: DEV_SECRETS.pipedriveUser,
    password: DEV_SECRETS.pipedrivePassword,
  };
  private lastStandard: SignedWebhook | undefined;
  /** The number of the latest standard call, sent again under a new event for Talkover's 409. */
  private lastPhone: string;

  constructor(
    ingestUrl: string,
    private readonly runId: string,
    private readonly phones: PhoneNumbers,
  ) {
    this.hubspot = { sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl };
    this.lastPhone = phones.next();
  }

  /** The k-th webhook of the load. */
  webhookFor(k: number): LabelledWebhook {
    switch (k % 20) {
      case 0:
        return { label: "hubspot app (2 events)", webhook: this.hubspotApp(k) };
      case 1:
        return { label: "hubspot workflow", webhook: this.hubspotWorkflow(k) };
      case 2:
        return { label: "pipedrive person", webhook: this.pipedrivePerson(k, this.pipedrive, "Alan") };
      case 3:
        return { label: "salesforce (2 leads)", webhook: this.salesforceLeads(k) };
      case 4:
        return { label: "hubspot unusable number (invalid_phone)", webhook: this.hubspotUnusableNumber(k) };
      case 5:
        return { label: "standard, wrong secret (401)", webhook: this.standard(k, this.callRequested(k), WRONG_STANDARD_SECRET) };
      case 7:
        return { label: "standard redelivered (duplicate)", webhook: this.lastStandard ?? this.standard(k, this.callRequested(k)) };
      case 8:
        return {
          label: "pipedrive, wrong password (401)",
          webhook: this.pipedrivePerson(k, { ...this.pipedrive, password: "wrong" }, "Eve"),
        };
      case 9:
        return { label: "unknown source (404)", webhook: { ...this.standard(k, this.callRequested(k)), path: "/webhooks/no-such-source" } };
      case 10: {
        const w = this.standard(k, this.callRequested(k));
        return { label: "standard, text/plain (415)", webhook: { ...w, headers: { ...w.headers, "content-type": "text/plain" } } };
      }
      case 11:
        return { label: "salesforce, malformed XML (400)", webhook: MALFORMED_SALESFORCE };
      case 12:
        return { label: "standard, no route (ignored)", webhook: this.standard(k, { type: "contact.deleted", data: { id: `lead-${k}` } }) };
      case 6:
        return {
          label: "standard, satellite number (suppressed: no time zone)",
          webhook: this.standard(k, this.callRequested(k, SATELLITE_NUMBER)),
        };
      case 13:
        return { label: "standard, same number again (409)", webhook: this.standard(k, this.callRequested(k, this.lastPhone)) };
      default:
        this.lastPhone = this.phones.next();
        this.lastStandard = this.standard(k, this.callRequested(k, this.lastPhone));
        return { label: "standard", webhook: this.lastStandard };
    }
  }

  private standard(k: number, payload: unknown, secret: string = DEV_SECRETS.standardWebhooksSecret): SignedWebhook {
    return standardWebhook({ sourceId: "standard", secret, id: `msg_${this.runId}_${k}`, payload });
  }

  private callRequested(k: number, phone = this.phones.next()): unknown {
    return { type: "call.requested", data: { id: `lead-${k}`, name: "Ada", phone } };
  }

  private hubspotApp(k: number): SignedWebhook {
    const first = hubspotPhoneChangeEvent({ eventId: k * 10 + 1, objectId: 1000 + k, phone: this.phones.next(), occurredAt: Date.now() });
    const second = hubspotPhoneChangeEvent({
      eventId: k * 10 + 2,
      objectId: 2000 + k,
      phone: this.phones.next(),
      propertyName: "mobilephone",
      occurredAt: Date.now(),
    });
    return hubspotWebhook(this.hubspot, [first, second]);
  }

  private hubspotWorkflow(k: number): SignedWebhook {
    return hubspotWebhook(
      { ...this.hubspot, sourceId: "hubspot-workflows" },
      { id: `${this.runId}-${k}`, properties: { firstname: "Grace", phone: this.phones.next() } },
    );
  }

  private hubspotUnusableNumber(k: number): SignedWebhook {
    return hubspotWebhook(this.hubspot, [
      hubspotPhoneChangeEvent({ eventId: k * 10 + 3, objectId: 3000 + k, phone: "call me maybe", occurredAt: Date.now() }),
    ]);
  }

  private pipedrivePerson(k: number, auth: PipedriveAuth, name: string): SignedWebhook {
    return pipedrivePersonWebhook(auth, {
      eventId: `${this.runId}-${k}`,
      personId: k,
      name,
      phones: [{ value: this.phones.next(), primary: true }],
    });
  }

  private salesforceLeads(k: number): SignedWebhook {
    const id = `04l${String(k).padStart(12, "0")}`;
    return salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
      { id: `${id}AAA`, objectType: "Lead", fields: { Id: "00Q000000000001AAA", FirstName: "Kay", Phone: this.phones.next() } },
      { id: `${id}AAB`, objectType: "Lead", fields: { Id: "00Q000000000002AAA", FirstName: "Dot", Phone: this.phones.next() } },
    ]);
  }
}

const MALFORMED_SALESFORCE: SignedWebhook = {
  sourceId: "salesforce",
  path: "/webhooks/salesforce",
  headers: { "content-type": "text/xml; charset=utf-8" },
  body: "<soapenv:Envelope><unclosed",
};
