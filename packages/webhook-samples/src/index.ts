export { type HubSpotPhoneChange, type HubSpotSigning, hubspotPhoneChangeEvent, hubspotWebhook } from "./hubspot.js";
export { type PipedriveAuth, type PipedrivePerson, pipedrivePersonWebhook } from "./pipedrive.js";
export { type SalesforceNotification, salesforceOutboundMessage } from "./salesforce.js";
export { DEV_SECRETS, type SignedWebhook, sendWebhook } from "./signed-webhook.js";
export { type StandardWebhookSample, standardWebhook } from "./standard-webhooks.js";
