import type { Admin } from "@callbridge/kafka";
import type { Logger } from "@callbridge/observability";
import { DEFERRAL_TIERS, deferralGroupId, deferralTopic } from "@callbridge/schemas";
import type { WorkerMetrics } from "../metrics.js";

/**
 * Polls the group's lag per partition into a gauge (the worker reports it itself, no exporter
 * needed), and how many workers the group has, which sizes each replica's share of the limits
 * while Redis is unreachable. The lag of the tiers' group (deferralGroupId) on each deferral
 * tier topic is how many requests wait in that tier.
 */
export function startLagReporter(
  admin: Admin,
  groupId: string,
  topic: string,
  intervalMs: number,
  metrics: WorkerMetrics,
  logger: Logger,
  onMembers: (members: number) => void,
): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      for (const { partition, lag } of await admin.consumerLag(groupId, topic)) {
        metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
      }
      for (const tier of DEFERRAL_TIERS) {
        const partitions = await admin.consumerLag(deferralGroupId(groupId), deferralTopic(topic, tier));
        metrics.deferredRequests.set(
          { tier: tier.name },
          partitions.reduce((sum, { lag }) => sum + lag, 0),
        );
      }
      const members = await admin.groupMembers(groupId);
      if (members > 0) onMembers(members);
    } catch (error) {
      logger.debug({ err: error }, "could not read consumer lag");
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
