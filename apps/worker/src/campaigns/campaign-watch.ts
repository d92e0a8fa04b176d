import type { Logger } from "@callbridge/observability";
import { CampaignStatus } from "@callbridge/schemas";
import { isTalkoverError, type TalkoverClient } from "@callbridge/talkover-client";
import { sleep } from "../process/sleep.js";
import type { SeenStatus, StatusCache } from "./status-cache.js";

export interface CampaignWatchOptions {
  /** A status this old is read again (PARK_POLL_INTERVAL_MS), ms. */
  readonly pollIntervalMs: number;
  /** Most campaign reads this replica starts per second (PARK_POLLS_PER_SECOND). */
  readonly pollsPerSecond: number;
  /** This replica's name on the poll lock. */
  readonly owner: string;
  /** Called with each read's result (`active`, ..., or `error`), for the metric. */
  readonly onPoll?: (result: CampaignStatus | "error") => void;
  readonly now?: () => number;
}

/** How long a reader may hold the right to poll one campaign before another takes over, ms. */
const POLL_LOCK_MS = 5_000;
/** While another replica polls: how often to look for its answer, ms. */
const WAIT_STEP_MS = 100;
/** A failed read is kept this long, so a broken API is not asked again for every parked request, ms. */
const ERROR_TTL_MS = 5_000;

/**
 * Campaign statuses for parked requests (`GET /api/v1/campaigns/{id}`), each at most one poll
 * interval old, shared by every replica through the cache: one read per campaign per interval
 * over all replicas, at most `pollsPerSecond` started per replica.
 */
export class CampaignWatch {
  private readonly inFlight = new Map<string, Promise<SeenStatus>>();
  private nextPollAt = 0;
  private readonly now: () => number;

  constructor(
    private readonly client: Pick<TalkoverClient, "getCampaign">,
    private readonly cache: StatusCache,
    private readonly options: CampaignWatchOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
  }

  get pollIntervalMs(): number {
    return this.options.pollIntervalMs;
  }

  /** The campaign's status, read within the last poll interval. Never throws: a failed read is `unknown`. */
  status(campaignId: string, signal: AbortSignal): Promise<SeenStatus> {
    let pending = this.inFlight.get(campaignId);
    if (!pending) {
      pending = this.lookUp(campaignId, signal).finally(() => this.inFlight.delete(campaignId));
      this.inFlight.set(campaignId, pending);
    }
    return pending;
  }

  /** Forgets what was read of a campaign, here and for every replica: the next request reads it again. */
  async forget(campaignId: string): Promise<void> {
    await this.cache.forget(campaignId);
  }

  private async lookUp(campaignId: string, signal: AbortSignal): Promise<SeenStatus> {
    try {
      const deadline = this.now() + POLL_LOCK_MS;
      for (;;) {
        const cached = await this.cache.get(campaignId);
        if (cached) return cached;
        if (await this.cache.lock(campaignId, this.options.owner, POLL_LOCK_MS)) return await this.poll(campaignId, signal);
        // Another replica is reading it: its answer lands in the cache shortly.
        if (this.now() >= deadline || !(await sleep(WAIT_STEP_MS, signal))) return await this.poll(campaignId, signal);
      }
    } catch (error) {
      // The shared cache is unreachable: read the API directly rather than keep requests waiting.
      this.logger.warn({ err: error, campaign: campaignId }, "campaign status cache unavailable; reading the API directly");
      return this.poll(campaignId, signal, false);
    }
  }

  private async poll(campaignId: string, signal: AbortSignal, share = true): Promise<SeenStatus> {
    await this.pace(signal);
    let seen: SeenStatus;
    try {
      const campaign = await this.client.getCampaign(campaignId, { signal });
      const status = CampaignStatus.safeParse(campaign.status);
      seen = { status: status.success ? status.data : "unknown", checkedAtMs: this.now() };
      this.options.onPoll?.(status.success ? status.data : "error");
    } catch (error) {
      this.options.onPoll?.("error");
      const detail = isTalkoverError(error) ? `${error.status ?? error.kind} ${error.code}` : String(error);
      this.logger.warn(
        { campaign: campaignId, detail },
        "could not read the campaign's status; its parked requests wait for the next check",
      );
      seen = { status: "unknown", checkedAtMs: this.now() };
    }
    if (share) {
      const ttl = seen.status === "unknown" ? ERROR_TTL_MS : this.options.pollIntervalMs;
      await this.cache.set(campaignId, seen, ttl).catch(() => undefined);
    }
    return seen;
  }

  /** Spaces the starts of reads `1000 / pollsPerSecond` ms apart. */
  private async pace(signal: AbortSignal): Promise<void> {
    const spacing = 1000 / this.options.pollsPerSecond;
    const start = Math.max(this.now(), this.nextPollAt);
    this.nextPollAt = start + spacing;
    const wait = start - this.now();
    if (wait > 0) await sleep(wait, signal);
  }
}
