import type { RecordHeaders } from "@callbridge/kafka";
import { CallRequest, callRequestKey, DLQ_HEADERS, E164_PATTERN } from "@callbridge/schemas";
import { usageError } from "../errors.js";

export interface Transforms {
  readonly allowDuplicates: boolean;
  /** `--set field=value` for is_testing, allow_duplicates, campaign_id, to. */
  readonly set: ReadonlyMap<string, string | boolean>;
  /** `--campaign-map from=to`. */
  readonly campaignMap: ReadonlyMap<string, string>;
}

const SETTABLE = new Set(["is_testing", "allow_duplicates", "campaign_id", "to"]);

export function parseTransforms(options: { allowDuplicates?: boolean; set?: string[]; campaignMap?: string[] }): Transforms {
  const set = new Map<string, string | boolean>();
  for (const entry of options.set ?? []) {
    const [field, ...rest] = entry.split("=");
    const value = rest.join("=");
    if (!field || rest.length === 0 || !SETTABLE.has(field)) {
      throw usageError(`--set ${entry}: give field=value with field one of ${[...SETTABLE].join(", ")}`);
    }
    if (field === "is_testing" || field === "allow_duplicates") {
      if (value !== "true" && value !== "false") throw usageError(`--set ${entry}: ${field} is true or false`);
      set.set(field, value === "true");
    } else if (field === "to" && !E164_PATTERN.test(value)) {
      throw usageError(`--set to=...: the number must be E.164, such as +14155550123`);
    } else {
      set.set(field, value);
    }
  }
  const campaignMap = new Map<string, string>();
  for (const entry of options.campaignMap ?? []) {
    const [from, to, ...extra] = entry.split("=");
    if (!from || !to || extra.length > 0) throw usageError(`--campaign-map ${entry}: give old-campaign=new-campaign`);
    campaignMap.set(from, to);
  }
  return { allowDuplicates: options.allowDuplicates ?? false, set, campaignMap };
}

export type ReplayedRequest = { ok: true; key: string; value: string; headers: RecordHeaders } | { ok: false; problem: string };

/**
 * The call request a letter holds, transformed, checked against CallRequest v1, with the
 * letter's own headers removed and the replay count raised by one.
 */
export function replayedRequestFrom(
  value: Buffer | null,
  headers: RecordHeaders,
  transforms: Transforms,
  replayOf: string,
  nowIso: string,
): ReplayedRequest {
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(value?.toString("utf8") ?? "");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { ok: false, problem: "the value is not a JSON object" };
    request = { ...(parsed as Record<string, unknown>) };
  } catch {
    return { ok: false, problem: "the value is not JSON" };
  }
  if (transforms.allowDuplicates) request.allow_duplicates = true;
  for (const [field, v] of transforms.set) request[field] = v;
  const campaign = request.campaign_id;
  if (typeof campaign === "string" && transforms.campaignMap.has(campaign)) request.campaign_id = transforms.campaignMap.get(campaign);

  const checked = CallRequest.safeParse(request);
  if (!checked.success) {
    const where = checked.error.issues.map((issue) => issue.path.join(".") || "(value)").join(", ");
    return { ok: false, problem: `not a valid call request (${where}); fix it with --set` };
  }
  const kept = Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) => !name.startsWith("callbridge.dlq.") && !name.startsWith("callbridge.original.") && !name.startsWith("__connect.errors."),
    ),
  );
  const replays = (Number(headers[DLQ_HEADERS.replayCount] ?? "0") || 0) + 1;
  return {
    ok: true,
    key: callRequestKey(checked.data),
    value: JSON.stringify(request),
    headers: { ...kept, [DLQ_HEADERS.replayCount]: String(replays), "callbridge.replay.of": replayOf, "callbridge.replay.at": nowIso },
  };
}
