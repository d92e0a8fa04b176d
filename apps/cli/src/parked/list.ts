import type { CliContext } from "../context.js";
import { age, cellText, table } from "../output/table.js";
import { type ParkedCampaign, parkedByCampaign } from "./pending.js";
import { readParked } from "./read-parked.js";

const HEADERS = ["CAMPAIGN", "PARKED", "STATUS", "OLDEST PARKED", "AGE", "NEXT CHECK"];

/**
 * `parked list`: the requests parked now (see readParked), by campaign: how many, since when,
 * the campaign's status as the workers last saw it, and when they check it next. No request
 * is printed, so no phone number is.
 */
export async function listParked(context: CliContext, options: { group: string }): Promise<void> {
  const campaigns = parkedByCampaign(await readParked(context, options.group));
  const now = context.nowMs();
  const total = campaigns.reduce((sum, c) => sum + c.parked, 0);
  if (context.json) {
    context.out(JSON.stringify({ group: options.group, parked: total, campaigns: campaigns.map((c) => campaignJson(c, now)) }, null, 2));
    return;
  }
  if (campaigns.length === 0) {
    context.out(`no parked requests (worker group ${options.group})`);
    return;
  }
  context.out(
    table(
      HEADERS,
      campaigns.map((c) => campaignRow(c, now)),
    ),
  );
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  context.out(`\n${plural(total, "parked request")} in ${plural(campaigns.length, "campaign")} (worker group ${options.group})`);
}

function campaignRow(c: ParkedCampaign, now: number): string[] {
  return [
    cellText(c.campaignId ?? "(unknown)"),
    String(c.parked),
    c.lastSeenStatus ?? "-",
    c.oldestParkedAtMs === undefined ? "-" : isoSeconds(c.oldestParkedAtMs),
    c.oldestParkedAtMs === undefined ? "-" : age(c.oldestParkedAtMs, now),
    nextCheck(c.nextCheckMs, now),
  ];
}

/** "in 4m", or "overdue 2m" when no worker has checked it when due (none running, or behind). */
function nextCheck(atMs: number | undefined, now: number): string {
  if (atMs === undefined) return "-";
  return atMs >= now ? `in ${age(now, atMs)}` : `overdue ${age(atMs, now)}`;
}

/** The JSON form of a campaign's row: times as ISO 8601, the age in seconds. */
function campaignJson(c: ParkedCampaign, now: number): Record<string, unknown> {
  return {
    campaign_id: c.campaignId ?? null,
    parked: c.parked,
    oldest_parked_at: c.oldestParkedAtMs === undefined ? null : new Date(c.oldestParkedAtMs).toISOString(),
    oldest_parked_age_s: c.oldestParkedAtMs === undefined ? null : Math.max(0, Math.round((now - c.oldestParkedAtMs) / 1000)),
    last_seen_status: c.lastSeenStatus ?? null,
    last_seen_at: new Date(c.lastSeenAtMs).toISOString(),
    next_check_at: c.nextCheckMs === undefined ? null : new Date(c.nextCheckMs).toISOString(),
  };
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
