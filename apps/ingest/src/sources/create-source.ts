import type { SourceConfig } from "@callbridge/routes";
import { hubspotSource } from "./hubspot.js";
import { pipedriveSource } from "./pipedrive.js";
import { salesforceSource } from "./salesforce.js";
import type { Source } from "./source.js";
import { standardWebhooksSource } from "./standard-webhooks.js";

export function createSource(id: string, config: SourceConfig): Source {
  switch (config.kind) {
    case "hubspot":
      return hubspotSource({ id, clientSecret: config.client_secret, signatureVersions: config.signature_versions });
    case "standard-webhooks":
      return standardWebhooksSource({ id, secrets: config.secrets });
    case "pipedrive":
      return pipedriveSource({ id, username: config.username, password: config.password });
    case "salesforce-outbound":
      return salesforceSource({ id, organizationIds: config.organization_ids });
  }
}
