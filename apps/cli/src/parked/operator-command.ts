import { PARKED_COMMANDS_KEY, type ParkedCommand } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { CliError, interruptedError, usageError } from "../errors.js";
import { droppable } from "./pending.js";
import { readParked } from "./read-parked.js";
import { checkRedisUrl, connectRedis, type RedisUrlSource } from "./redis.js";
import type { TierCopy } from "./tier-copy.js";
import { type WrittenCommand, writeParkedCommand } from "./write-command.js";

export interface OperatorCommandOptions {
  readonly campaign: string;
  /** `--redis` or REDIS_URL; `undefined` when neither is set. */
  readonly redis: string | undefined;
  readonly redisSource: RedisUrlSource;
  /** The worker group whose committed offsets say what is still parked (for the count). */
  readonly group: string;
}

/**
 * `parked redrive`: asks the workers to read the campaign's status again now and to place its
 * parked requests if it is active, and deletes the cached status so that read goes to the API.
 */
export async function redriveParked(context: CliContext, options: OperatorCommandOptions): Promise<void> {
  const campaign = requireCampaign(options.campaign);
  checkBrokers(context);
  const nowMs = context.nowMs();
  const written = await sendCommand("redrive", options, { redrive_at_ms: nowMs }, true);
  const count = await countParked(context, options.group, "redrive", campaign);
  const parked = count.ok ? count.parked.filter((copy) => copy.campaignId === campaign).length : null;
  if (context.json) {
    context.out(JSON.stringify(commandJson("redrive", campaign, written, options.group, count, { parked }), null, 2));
    return;
  }
  context.out(
    `redrive of campaign ${campaign} written (${PARKED_COMMANDS_KEY}, at ${iso(nowMs)}): the workers read its status again and place its parked requests if it is active`,
  );
  if (written.replacedUnreadable) context.out(`an unreadable command for campaign ${campaign} was replaced`);
  context.out(
    written.statusCacheCleared
      ? `cached status of campaign ${campaign} deleted: the next check asks the API`
      : `no cached status of campaign ${campaign} to delete: the next check asks the API`,
  );
  context.out(
    count.ok
      ? `${requests(parked ?? 0)} of campaign ${campaign} parked now (worker group ${options.group})`
      : `could not count its parked requests: ${count.problem}`,
  );
}

/**
 * `parked drop --yes`: asks the workers to dead-letter (reason `parked_dropped`) the campaign's
 * requests parked until now. Without `yes` it refuses (exit 2) and touches nothing.
 */
export async function dropParked(context: CliContext, options: OperatorCommandOptions & { yes: boolean }): Promise<void> {
  const campaign = requireCampaign(options.campaign);
  if (!options.yes) {
    throw usageError(
      `parked drop dead-letters every request of campaign ${campaign} parked until now (reason parked_dropped); add --yes to do it (callbridge parked list shows how many are parked)`,
    );
  }
  checkBrokers(context);
  const nowMs = context.nowMs();
  const written = await sendCommand("drop", options, { drop_before_ms: nowMs }, false);
  const count = await countParked(context, options.group, "drop", campaign);
  const dropping = count.ok ? droppable(count.parked, campaign, nowMs) : null;
  if (context.json) {
    context.out(JSON.stringify(commandJson("drop", campaign, written, options.group, count, { dropping }), null, 2));
    return;
  }
  context.out(
    `drop of campaign ${campaign} written (${PARKED_COMMANDS_KEY}, before ${iso(nowMs)}): the workers dead-letter its requests parked until then (reason parked_dropped) as they wake them`,
  );
  if (written.replacedUnreadable) context.out(`an unreadable command for campaign ${campaign} was replaced`);
  context.out(
    count.ok
      ? `${requests(dropping ?? 0)} of campaign ${campaign} will be dropped (worker group ${options.group})`
      : `could not count the requests it drops: ${count.problem}`,
  );
}

function requireCampaign(campaign: string): string {
  if (campaign.trim() === "") throw usageError("--campaign: give the campaign id");
  return campaign;
}

/** A bad broker list is a usage error (exit 2) before anything is written, not a count that failed after. */
function checkBrokers(context: CliContext): void {
  void context.brokers;
}

/** Writes the command; exit 2 without a Redis URL, exit 1 when Redis fails. */
async function sendCommand(
  name: "redrive" | "drop",
  options: OperatorCommandOptions,
  update: ParkedCommand,
  clearStatusCache: boolean,
): Promise<WrittenCommand> {
  if (options.redis === undefined || options.redis === "") {
    throw usageError(
      `parked ${name} needs Redis (--redis <url> or REDIS_URL): the workers read operator commands from the Redis they share (REDIS_URL), so there is nothing to tell a worker that runs without Redis`,
    );
  }
  const redis = await connectRedis(checkRedisUrl(options.redis, options.redisSource), options.redisSource);
  try {
    return await writeParkedCommand(redis, options.campaign, update, { clearStatusCache });
  } finally {
    redis.disconnect();
  }
}

type Count = { ok: true; parked: TierCopy[] } | { ok: false; problem: string };

/**
 * The parked requests now, for the report. The command is already written: Kafka unreachable
 * or the tier topics missing do not fail it (it is said instead); a signal still stops it.
 */
async function countParked(context: CliContext, group: string, name: string, campaign: string): Promise<Count> {
  try {
    return { ok: true, parked: await readParked(context, group) };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    switch (error.kind) {
      case "failed":
      case "usage":
        return { ok: false, problem: error.message };
      case "interrupted":
        throw interruptedError(
          context.signal,
          `the ${name} of campaign ${campaign} is written; counting its parked requests was not finished`,
        );
    }
  }
}

function commandJson(
  action: "redrive" | "drop",
  campaign: string,
  written: WrittenCommand,
  group: string,
  count: Count,
  counted: Record<string, number | null>,
): Record<string, unknown> {
  return {
    action,
    campaign_id: campaign,
    command: written.command,
    replaced_unreadable: written.replacedUnreadable,
    ...(action === "redrive" ? { status_cache_cleared: written.statusCacheCleared } : {}),
    group,
    ...counted,
    count_error: count.ok ? null : count.problem,
  };
}

function requests(n: number): string {
  return n === 1 ? "1 request" : `${n} requests`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
