import type { SignedWebhook } from "./signed-webhook.js";

export interface PipedrivePerson {
  readonly eventId: string;
  readonly personId: number;
  readonly name: string;
  readonly phones: readonly { value: string; primary: boolean; label?: string }[];
  readonly action?: "create" | "change";
  readonly previousPhones?: readonly { value: string; primary: boolean; label?: string }[];
}

export interface PipedriveAuth {
  readonly sourceId: string;
  readonly username: string;
  readonly password: string;
}

/** A Pipedrive webhooks v2 person event (`{meta, data, previous}`), with HTTP Basic auth. */
export function pipedrivePersonWebhook(auth: PipedriveAuth, person: PipedrivePerson): SignedWebhook {
  const action = person.action ?? "create";
  const body = {
    meta: {
      action,
      entity: "person",
      entity_id: String(person.personId),
      id: person.eventId,
      correlation_id: person.eventId,
      company_id: "11001",
      user_id: "22002",
      timestamp: new Date(1_795_000_000_000).toISOString(),
      type: "general",
      version: "2.0",
      webhook_id: "301",
      webhook_owner_id: "22002",
      change_source: "app",
      is_bulk_edit: false,
      attempt: 1,
      host: "example.pipedrive.com",
    },
    data: { id: person.personId, name: person.name, phones: person.phones, emails: [], owner_id: 22002 },
    previous: action === "create" ? null : { phones: person.previousPhones ?? [] },
  };
  return {
    sourceId: auth.sourceId,
    path: `/webhooks/${auth.sourceId}`,
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
    },
  };
}
