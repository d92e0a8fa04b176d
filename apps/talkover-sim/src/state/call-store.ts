import { randomUUID } from "node:crypto";
import type { CampaignCall, CampaignCallStatus, ExistingCall, JsonObject } from "@callbridge/schemas";
import { isoSeconds } from "./campaigns.js";

/** How long a call spends in each state before moving on. */
export interface CallLifecycle {
  readonly queuedMs: number;
  readonly activeMs: number;
}

export interface NewCall {
  readonly campaignId: string;
  readonly to: string;
  readonly payload: JsonObject;
  readonly context: JsonObject;
  readonly isTesting: boolean;
  readonly allowDuplicates: boolean;
  /** The request's W3C `traceparent` header as received, or null without one (admin only: the API does not echo it). */
  readonly traceparent: string | null;
}

interface StoredCall extends NewCall {
  readonly id: string;
  readonly createdAtMs: number;
  readonly createdAt: string;
}

/** One accepted call as `GET /_sim/calls` lists it (apps/talkover-sim/README.md#admin-surface). */
export interface AdminCallView {
  id: string;
  campaign_id: string;
  to: string;
  payload: JsonObject;
  context: JsonObject;
  is_testing: boolean;
  allow_duplicates: boolean;
  status: CampaignCallStatus;
  created_at: string;
  /** The `traceparent` header of the request that created the call, as received; null without one. */
  traceparent: string | null;
}

/**
 * Accepted calls. A call's status is derived from its age (queued, then active, then
 * completed), so no timers run and a number becomes callable again once its call completes.
 */
export class CallStore {
  private calls: StoredCall[] = [];
  /** `campaign:to` -> the call that finishes last for that number (the newest). */
  private latestByNumber = new Map<string, StoredCall>();

  constructor(
    private readonly lifecycle: CallLifecycle,
    private readonly nowMs: () => number,
  ) {}

  reset(): void {
    this.calls = [];
    this.latestByNumber = new Map();
  }

  get size(): number {
    return this.calls.length;
  }

  /** The queued or active call to this number in this campaign, if any. */
  findOpen(campaignId: string, to: string): ExistingCall | undefined {
    const call = this.latestByNumber.get(numberKey(campaignId, to));
    if (!call) return undefined;
    const status = this.statusOf(call);
    if (status === "completed") return undefined;
    return { id: call.id, campaign_id: call.campaignId, to: call.to, status, created_at: call.createdAt };
  }

  add(call: NewCall): CampaignCall {
    const createdAtMs = this.nowMs();
    const stored: StoredCall = { ...call, id: randomUUID(), createdAtMs, createdAt: isoSeconds(new Date(createdAtMs)) };
    this.calls.push(stored);
    this.latestByNumber.set(numberKey(call.campaignId, call.to), stored);
    return {
      id: stored.id,
      campaign_id: stored.campaignId,
      to: stored.to,
      status: this.statusOf(stored),
      scheduled_at: stored.createdAt,
      created_at: stored.createdAt,
    };
  }

  /** When each accepted call was accepted (ms since the epoch), oldest first: for rate measurements. */
  acceptedTimes(): number[] {
    return this.calls.map((call) => call.createdAtMs);
  }

  list(filter: { campaignId?: string | undefined; to?: string | undefined } = {}): AdminCallView[] {
    return this.calls
      .filter(
        (call) =>
          (filter.campaignId === undefined || call.campaignId === filter.campaignId) && (filter.to === undefined || call.to === filter.to),
      )
      .map((call) => ({
        id: call.id,
        campaign_id: call.campaignId,
        to: call.to,
        payload: call.payload,
        context: call.context,
        is_testing: call.isTesting,
        allow_duplicates: call.allowDuplicates,
        status: this.statusOf(call),
        created_at: call.createdAt,
        traceparent: call.traceparent,
      }));
  }

  private statusOf(call: StoredCall): CampaignCallStatus {
    const age = this.nowMs() - call.createdAtMs;
    if (age < this.lifecycle.queuedMs) return "queued";
    if (age < this.lifecycle.queuedMs + this.lifecycle.activeMs) return "active";
    return "completed";
  }
}

function numberKey(campaignId: string, to: string): string {
  return `${campaignId}\u0000${to}`;
}
