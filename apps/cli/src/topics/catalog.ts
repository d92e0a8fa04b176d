import type { TopicCatalogOptions } from "@callbridge/kafka";
import type { TopicRole } from "@callbridge/schemas";
import type { CliContext } from "../context.js";

/** Every topic role callbridge owns. */
export const ALL_TOPIC_ROLES: readonly TopicRole[] = ["callRequests", "callRequestsDlq", "callResults", "dlqReplays"];

/** The catalog options for the topic names this command line uses (see Admin.ensureCatalogTopics). */
export function catalogOptions(context: CliContext, partitions?: number): TopicCatalogOptions {
  return {
    names: {
      callRequests: context.topics.callRequests,
      callRequestsDlq: context.topics.deadLetters,
      callResults: context.topics.callResults,
      dlqReplays: context.topics.replays,
    },
    ...(partitions ? { partitions } : {}),
  };
}
