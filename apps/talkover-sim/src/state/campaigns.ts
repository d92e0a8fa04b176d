import type { Campaign, CampaignStatus } from "@callbridge/schemas";

/** A campaign as the simulator keeps it: the API's view plus who may call it. */
export interface SimCampaign {
  readonly id: string;
  readonly name: string;
  status: CampaignStatus;
  /** Tokens allowed to place calls; `"*"` is every configured token, `[]` none (403 for all). */
  readonly callers: "*" | readonly string[];
  readonly createdAt: string;
  updatedAt: string;
}

export interface CampaignSeed {
  readonly id: string;
  readonly name: string;
  readonly status: CampaignStatus;
  readonly callers?: "*" | readonly string[];
}

/** The campaigns every simulator starts with (apps/talkover-sim/README.md#seeded-state). */
export const DEFAULT_CAMPAIGNS: readonly CampaignSeed[] = [
  { id: "campaign-uuid-1", name: "Q1 Outreach", status: "active" },
  { id: "campaign-draft", name: "Draft Campaign", status: "draft" },
  { id: "campaign-paused", name: "Paused Campaign", status: "paused" },
  { id: "campaign-completed", name: "Completed Campaign", status: "completed" },
  { id: "campaign-cancelled", name: "Cancelled Campaign", status: "cancelled" },
  { id: "campaign-forbidden", name: "Someone Else's Campaign", status: "active", callers: [] },
];

export class CampaignStore {
  private readonly campaigns = new Map<string, SimCampaign>();

  constructor(
    private readonly seeds: readonly CampaignSeed[],
    private readonly now: () => Date,
  ) {
    this.reset();
  }

  /** Back to the starting campaigns and their statuses. */
  reset(): void {
    this.campaigns.clear();
    const at = isoSeconds(this.now());
    for (const seed of this.seeds) {
      this.campaigns.set(seed.id, { ...seed, callers: seed.callers ?? "*", createdAt: at, updatedAt: at });
    }
  }

  get(id: string): SimCampaign | undefined {
    return this.campaigns.get(id);
  }

  setStatus(campaign: SimCampaign, status: CampaignStatus): void {
    campaign.status = status;
    campaign.updatedAt = isoSeconds(this.now());
  }

  static mayCall(campaign: SimCampaign, token: string): boolean {
    return campaign.callers === "*" || campaign.callers.includes(token);
  }

  static toApi(campaign: SimCampaign): Campaign {
    return {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      created_at: campaign.createdAt,
      updated_at: campaign.updatedAt,
    };
  }
}

/** Timestamps as the documented examples write them: "2024-01-15T10:30:00Z", no fraction. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
