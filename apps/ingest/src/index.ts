export { createIngestApp, type IngestApp, type IngestDeps } from "./app.js";
export { EXAMPLE_ROUTES_FILE, type IngestConfig, IngestEnv, loadConfig } from "./config.js";
export { type DeliveredEvents, InMemoryDeliveredEvents, RedisDeliveredEvents } from "./delivery/delivered-events.js";
export { createIngestMetrics, type EventOutcome, type IngestMetrics, type RequestOutcome } from "./metrics.js";
export { hubspotV1V2Signature, hubspotV3Signature } from "./sources/hubspot.js";
