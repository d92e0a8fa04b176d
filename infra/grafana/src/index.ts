import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { overviewDashboard } from "./dashboards/overview.js";

export { DATASOURCE_VARIABLE, JOBS, PROVISIONED_DATASOURCE } from "./dashboards/builders.js";
export { DEFERRED_OVERDUE_ALERT_SECONDS } from "./dashboards/deferral-row.js";
export { OVERVIEW_UID, overviewDashboard } from "./dashboards/overview.js";

/** Every generated dashboard and the file it is written to under infra/grafana/dashboards/. */
export const DASHBOARDS: readonly { readonly file: string; readonly build: () => Dashboard }[] = [
  { file: "callbridge-overview.json", build: overviewDashboard },
];

/** The dashboard as Grafana reads it: plain JSON (the SDK's objects carry helper methods JSON drops). */
export function toJson(dashboard: Dashboard): unknown {
  return JSON.parse(JSON.stringify(dashboard));
}
