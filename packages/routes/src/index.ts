export { type EnvReference, interpolateEnv } from "./routes-file/interpolate.js";
export { type LoadRoutesResult, loadRoutesFile, parseRoutes } from "./routes-file/load.js";
export { OptOutConfig, RouteConfig, RoutesFile, SourceConfig, type SourceKind } from "./routes-file/schema.js";
export { consentGiven } from "./routing/consent.js";
export type { RoutedEvent, RouteSource } from "./routing/event.js";
export { valueAt } from "./routing/field-path.js";
export { normalizePhone, type PhoneResult, resolvePhone } from "./routing/phone.js";
export {
  type CallRequestDraft,
  type OptOutDraft,
  type RoutedWebhook,
  type RouteOutcome,
  type RoutingTable,
  routeEvents,
} from "./routing/route-events.js";
