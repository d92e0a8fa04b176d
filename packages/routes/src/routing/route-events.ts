import type { CallRequest } from "@callbridge/schemas";
import type { RouteConfig } from "../routes-file/schema.js";
import type { RoutedEvent, RouteSource } from "./event.js";
import { valueAt } from "./field-path.js";
import { type PhoneResult, resolvePhone } from "./phone.js";

/** What one event means for one matching route. */
export type RouteOutcome =
  | { kind: "call"; idempotencyKey: string; route: RouteConfig; event: RoutedEvent; request: CallRequest }
  | { kind: "invalid_phone"; idempotencyKey: string; route: RouteConfig; event: RoutedEvent; draft: CallRequestDraft; problem: string };

/** A call request whose number could not be used: kept whole so it can be fixed and replayed. */
export type CallRequestDraft = Omit<CallRequest, "to"> & { to: string | null };

export interface RoutedWebhook {
  readonly outcomes: RouteOutcome[];
  /** Events no route matched: counted and acknowledged. */
  readonly ignored: number;
}

/** Matches every event against the source's routes. One event can match several routes. */
export function routeEvents(
  source: RouteSource,
  routes: readonly RouteConfig[],
  events: readonly RoutedEvent[],
  receivedAt: Date,
): RoutedWebhook {
  const mine = routes.filter((route) => route.source === source.id);
  const outcomes: RouteOutcome[] = [];
  let ignored = 0;
  const at = receivedAt.toISOString();
  for (const event of events) {
    const matching = mine.filter((route) => matches(route, event.fields));
    if (matching.length === 0) ignored += 1;
    for (const route of matching) {
      const idempotencyKey = `${source.id}:${event.id}:${route.name}`;
      const base = {
        version: 1 as const,
        idempotency_key: idempotencyKey,
        campaign_id: route.campaign_id,
        payload: mapFields(route.payload, event.fields),
        context: mapFields(route.context, event.fields),
        is_testing: route.is_testing,
        allow_duplicates: route.allow_duplicates,
        source: { kind: source.kind, event_id: event.id, route: route.name, received_at: at },
        requested_at: at,
      };
      const phone = resolvePhone(event.fields, route.to, route.default_country);
      if (phone.ok) outcomes.push({ kind: "call", idempotencyKey, route, event, request: { ...base, to: phone.e164 } });
      else
        outcomes.push({
          kind: "invalid_phone",
          idempotencyKey,
          route,
          event,
          draft: { ...base, to: rawPhone(event.fields, route.to) },
          problem: describe(phone),
        });
    }
  }
  return { outcomes, ignored };
}

function matches(route: RouteConfig, fields: unknown): boolean {
  return Object.entries(route.when).every(([path, expected]) => {
    const actual = valueAt(fields, path);
    if (Array.isArray(expected)) return expected.some((option) => option === actual);
    if (typeof expected === "object" && expected !== null) return (actual !== undefined && actual !== null) === expected.exists;
    return expected === actual;
  });
}

function mapFields(mapping: RouteConfig["payload"], fields: unknown): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [key, source] of Object.entries(mapping)) {
    const value = typeof source === "string" ? valueAt(fields, source) : source.value;
    if (value !== undefined) mapped[key] = value;
  }
  return mapped;
}

/** The first raw value found at the `to` paths, to show (in the dead letter) what was wrong. */
function rawPhone(fields: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const value = valueAt(fields, path);
    if (value !== undefined && value !== null) return typeof value === "string" ? value : JSON.stringify(value);
  }
  return null;
}

function describe(result: Exclude<PhoneResult, { ok: true }>): string {
  const where = result.paths.join(", ");
  return result.reason === "missing"
    ? `no phone number at ${where}`
    : `no valid phone number at ${where} (${result.candidates} candidate${result.candidates === 1 ? "" : "s"} rejected)`;
}
