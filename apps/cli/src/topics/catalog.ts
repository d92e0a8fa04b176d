import { type TopicSpec, topicCatalog } from "@callbridge/kafka";
import type { CliContext } from "../context.js";

/** callbridge's topics under the names this command line uses. */
export function catalogFor(context: CliContext, partitions?: number): TopicSpec[] {
  const catalog = topicCatalog({
    names: {
      callRequests: context.topics.callRequests,
      callRequestsDlq: context.topics.deadLetters,
      callResults: context.topics.callResults,
      dlqReplays: context.topics.replays,
    },
    ...(partitions ? { partitions } : {}),
  });
  return Object.values(catalog);
}
