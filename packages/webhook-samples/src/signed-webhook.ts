/** A webhook as a CRM would send it: path under the ingest, headers (signature included), body. */
export interface SignedWebhook {
  readonly sourceId: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** POSTs a sample to an ingest at `baseUrl`. */
export function sendWebhook(baseUrl: string, webhook: SignedWebhook, init: { signal?: AbortSignal } = {}): Promise<Response> {
  return fetch(`${baseUrl}${webhook.path}`, { method: "POST", headers: webhook.headers, body: webhook.body, ...init });
}

/**
 * The development secrets of `config/routes.example.yaml` (the `${VAR:-default}` defaults),
 * so samples verify against an ingest run with no secrets set.
 */
export const DEV_SECRETS = {
  hubspotClientSecret: "dev-hubspot-client-secret",
  standardWebhooksSecret: "whsec_ZGV2LXN0YW5kYXJkLXdlYmhvb2tzLXNlY3JldA==",
  pipedriveUser: "callbridge",
  pipedrivePassword: "dev-pipedrive-password",
  salesforceOrgId: "00D000000000001EAA",
} as const;
