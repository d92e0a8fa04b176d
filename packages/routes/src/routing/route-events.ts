import type { CallRequest, CallRequestSource } from "@callbridge/schemas";
import type { OptOutConfig, RouteConfig } from "../routes-file/schema.js";
import { consentGiven } from "./consent.js";
import type { RoutedEvent, RouteSource } from "./event.js";
import { valueAt } from "./field-path.js";
import { type PhoneResult, resolvePhone } from "./phone.js";
import { whenHolds } from "./when.js";

/**
 * What one event means for one matching entry of the routes file (`route`: a route or an
 * opt-out). `idempotencyKey` is `{source_id}:{event_id}:{name}` in every case.
 * - `call`: a call request to write.
 * - `invalid_phone`: a route matched but no number is usable; `draft` is the request as far as it got.
 * - `opt_out`: put `to` (E.164, normalised as a call's `to` is) on the do-not-call list.
 * - `opt_out_invalid_phone`: an opt-out matched but no number is usable; `draft` says what was found.
 */
export type RouteOutcome =
  | { kind: "call"; idempotencyKey: string; route: RouteConfig; event: RoutedEvent; request: CallRequest }
  | { kind: "invalid_phone"; idempotencyKey: string; route: RouteConfig; event: RoutedEvent; draft: CallRequestDraft; problem: string }
  | { kind: "opt_out"; idempotencyKey: string; route: OptOutConfig; event: RoutedEvent; to: string }
  | {
      kind: "opt_out_invalid_phone";
      idempotencyKey: string;
      route: OptOutConfig;
      event: RoutedEvent;
      draft: OptOutDraft;
      problem: string;
    };

/** A call request whose number could not be used: kept whole so it can be fixed and replayed. */
export type CallRequestDraft = Omit<CallRequest, "to"> & { to: string | null };

/**
 * An opt-out whose number could not be used: what the dead letter holds. It is not a call
 * request (no campaign, no idempotency key), so a replay can never turn it into a call.
 */
export interface OptOutDraft {
  readonly opt_out: true;
  /** The raw value found at the `to` paths, or null. */
  readonly to: string | null;
  readonly source: CallRequestSource;
  readonly requested_at: string;
}

/** What routing reads of a routes file: its routes and its opt-outs (none when absent). */
export interface RoutingTable {
  readonly routes: readonly RouteConfig[];
  readonly opt_outs?: readonly OptOutConfig[];
}

export interface RoutedWebhook {
  readonly outcomes: RouteOutcome[];
  /** Events neither a route nor an opt-out matched: counted and acknowledged. */
  readonly ignored: number;
}

/**
 * Matches every event against the source's routes and opt-outs. One event can match several
 * of them; its outcomes come in file order, routes first, then opt-outs.
 */
export function routeEvents(source: RouteSource, table: RoutingTable, events: readonly RoutedEvent[], receivedAt: Date): RoutedWebhook {
  const { routes, optOuts } = entriesOf(table, source.id);
  const outcomes: RouteOutcome[] = [];
  let ignored = 0;
  const at = receivedAt.toISOString();
  for (const event of events) {
    const calls = routes.filter((route) => whenHolds(route.when, event.fields));
    const stops = optOuts.filter((optOut) => whenHolds(optOut.when, event.fields));
    if (calls.length + stops.length === 0) ignored += 1;
    for (const route of calls) outcomes.push(callOutcome(source, route, event, at));
    for (const optOut of stops) outcomes.push(optOutOutcome(source, optOut, event, at));
  }
  return { outcomes, ignored };
}

interface SourceEntries {
  readonly routes: readonly RouteConfig[];
  readonly optOuts: readonly OptOutConfig[];
}

/** Each table's routes and opt-outs by source id, sorted out once per table and source (a table is read-only). */
const entriesBySource = new WeakMap<RoutingTable, Map<string, SourceEntries>>();

function entriesOf(table: RoutingTable, sourceId: string): SourceEntries {
  let bySource = entriesBySource.get(table);
  if (bySource === undefined) {
    bySource = new Map();
    entriesBySource.set(table, bySource);
  }
  let entries = bySource.get(sourceId);
  if (entries === undefined) {
    entries = {
      routes: table.routes.filter((route) => route.source === sourceId),
      optOuts: (table.opt_outs ?? []).filter((optOut) => optOut.source === sourceId),
    };
    bySource.set(sourceId, entries);
  }
  return entries;
}

function callOutcome(source: RouteSource, route: RouteConfig, event: RoutedEvent, at: string): RouteOutcome {
  const idempotencyKey = `${source.id}:${event.id}:${route.name}`;
  const base = {
    version: 1 as const,
    idempotency_key: idempotencyKey,
    campaign_id: route.campaign_id,
    payload: mapFields(route.payload, event.fields),
    context: mapFields(route.context, event.fields),
    is_testing: route.is_testing,
    allow_duplicates: route.allow_duplicates,
    ...(route.consent === undefined ? {} : { consent: consentGiven(valueAt(event.fields, route.consent)) }),
    source: { kind: source.kind, event_id: event.id, route: route.name, received_at: at },
    requested_at: at,
  };
  const phone = resolvePhone(event.fields, route.to, route.default_country);
  if (phone.ok) return { kind: "call", idempotencyKey, route, event, request: { ...base, to: phone.e164 } };
  return {
    kind: "invalid_phone",
    idempotencyKey,
    route,
    event,
    draft: { ...base, to: rawPhone(event.fields, route.to) },
    problem: describe(phone),
  };
}

function optOutOutcome(source: RouteSource, optOut: OptOutConfig, event: RoutedEvent, at: string): RouteOutcome {
  const idempotencyKey = `${source.id}:${event.id}:${optOut.name}`;
  const phone = resolvePhone(event.fields, optOut.to, optOut.default_country);
  if (phone.ok) return { kind: "opt_out", idempotencyKey, route: optOut, event, to: phone.e164 };
  return {
    kind: "opt_out_invalid_phone",
    idempotencyKey,
    route: optOut,
    event,
    draft: {
      opt_out: true,
      to: rawPhone(event.fields, optOut.to),
      source: { kind: source.kind, event_id: event.id, route: optOut.name, received_at: at },
      requested_at: at,
    },
    problem: describe(phone),
  };
}

function mapFields(mapping: RouteConfig["payload"], fields: unknown): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const key of Object.keys(mapping)) {
    const source = mapping[key] as RouteConfig["payload"][string];
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
