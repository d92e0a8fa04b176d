import { CAMPAIGN_STATUS_KEY_PREFIX, PARKED_COMMANDS_KEY, type ParkedCommand } from "@callbridge/schemas";
import type { Redis } from "ioredis";
import { CliError } from "../errors.js";
import { type MergedCommand, mergeParkedCommand } from "./command.js";

/** Tries of the read-merge-write when other writers keep changing the hash in between. */
const ATTEMPTS = 10;

export interface WrittenCommand extends MergedCommand {
  /** Whether a cached campaign status was there and deleted (always false unless asked to). */
  readonly statusCacheCleared: boolean;
}

/**
 * Merges `update` into the campaign's field of PARKED_COMMANDS_KEY (mergeParkedCommand) and,
 * with `clearStatusCache`, deletes the campaign's cached status in the same transaction, so
 * the next check reads the API. Optimistic (WATCH/MULTI): a concurrent write to the hash makes
 * it read and merge again, so two operators' commands never overwrite each other's fields.
 * Throws a CliError (exit 1) when Redis fails or the hash never stays still long enough.
 */
export async function writeParkedCommand(
  redis: Redis,
  campaignId: string,
  update: ParkedCommand,
  options: { clearStatusCache: boolean },
): Promise<WrittenCommand> {
  try {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      await redis.watch(PARKED_COMMANDS_KEY);
      const merged = mergeParkedCommand(await redis.hget(PARKED_COMMANDS_KEY, campaignId), update);
      const transaction = redis.multi().hset(PARKED_COMMANDS_KEY, campaignId, JSON.stringify(merged.command));
      if (options.clearStatusCache) transaction.del(CAMPAIGN_STATUS_KEY_PREFIX + campaignId);
      const results = await transaction.exec();
      if (results === null) continue;
      const failed = results.find(([error]) => error !== null)?.[0];
      if (failed) throw failed;
      return { ...merged, statusCacheCleared: options.clearStatusCache && results[1]?.[1] === 1 };
    }
  } catch (error) {
    await redis.unwatch().catch(() => undefined);
    throw new CliError(`writing the command to Redis failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  throw new CliError(`writing the command to Redis failed: ${PARKED_COMMANDS_KEY} changed under every one of ${ATTEMPTS} tries`);
}
