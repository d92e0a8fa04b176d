import { deferralTopicSpecs } from "@callbridge/kafka";
import { deferralGroupId, deferralTopics } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { cliKafka, connectAdmin } from "../kafka.js";
import { table } from "../output/table.js";
import { ALL_TOPIC_ROLES, catalogOptions } from "./catalog.js";

/**
 * Creates callbridge's topics with their partitions and retention, the requests topic's
 * deferral tiers among them (docs/deferral.md); existing ones are left as they are.
 */
export async function ensureTopics(context: CliContext, options: { partitions?: number }): Promise<void> {
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  try {
    const catalog = await admin.ensureCatalogTopics(ALL_TOPIC_ROLES, catalogOptions(context, options.partitions));
    const tierSpecs = deferralTopicSpecs(context.topics.callRequests, options.partitions);
    const tiers = await admin.ensureTopics(tierSpecs);
    const specs = [...catalog.specs, ...tierSpecs];
    const result = {
      created: [...catalog.created, ...tiers.created],
      existing: [...catalog.existing, ...tiers.existing],
      mismatched: [...catalog.mismatched, ...tiers.mismatched],
    };
    if (context.json) {
      context.out(JSON.stringify(result, null, 2));
      return;
    }
    context.out(
      table(
        ["TOPIC", "PARTITIONS", "RETENTION", "STATUS"],
        specs.map((spec) => {
          const mismatch = result.mismatched.find((m) => m.name === spec.name);
          const status = result.created.includes(spec.name)
            ? "created"
            : mismatch
              ? `exists with ${mismatch.partitions} partitions`
              : "exists";
          return [spec.name, String(spec.partitions), `${Math.round(spec.retentionMs / 86_400_000)}d`, status];
        }),
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Offsets per partition of callbridge's topics, and the worker group's lag on the requests topic and its deferral tiers. */
export async function describeTopics(context: CliContext, options: { group: string }): Promise<void> {
  const kafka = cliKafka(context.brokers);
  const admin = await connectAdmin(kafka, context.brokers);
  try {
    const existing = new Set(await admin.listTopics());
    const tiers = deferralTopics(context.topics.callRequests);
    const names = [context.topics.callRequests, ...tiers, context.topics.deadLetters, context.topics.callResults, context.topics.replays];
    // The tiers are read by the workers' tier group (deferralGroupId), the requests topic by the group itself.
    const groupOf = (name: string) =>
      name === context.topics.callRequests ? options.group : tiers.includes(name) ? deferralGroupId(options.group) : undefined;
    const rows: Record<string, unknown>[] = [];
    for (const name of names) {
      if (!existing.has(name)) {
        rows.push({ topic: name, partition: null, low: null, high: null, committed: null, lag: null, missing: true });
        continue;
      }
      const group = groupOf(name);
      const lag = group ? new Map((await admin.consumerLag(group, name)).map((p) => [p.partition, p])) : undefined;
      for (const p of (await admin.describeTopic(name)).partitions) {
        const l = lag?.get(p.partition);
        rows.push({
          topic: name,
          partition: p.partition,
          low: p.low,
          high: p.high,
          committed: l?.committed ?? null,
          lag: l?.lag ?? null,
          missing: false,
        });
      }
    }
    if (context.json) {
      context.out(JSON.stringify({ group: options.group, partitions: rows }, null, 2));
      return;
    }
    context.out(
      table(
        ["TOPIC", "PARTITION", "LOW", "HIGH", `COMMITTED (${options.group}; tiers: ${deferralGroupId(options.group)})`, "LAG"],
        rows.map((r) =>
          r.missing
            ? [String(r.topic), "(missing)", "", "", "", ""]
            : [String(r.topic), String(r.partition), String(r.low), String(r.high), String(r.committed ?? "-"), String(r.lag ?? "-")],
        ),
      ),
    );
  } finally {
    await admin.disconnect();
  }
}
