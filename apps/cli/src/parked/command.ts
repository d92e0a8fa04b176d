import { ParkedCommand } from "@callbridge/schemas";

/** A campaign's command after an update, and whether what was there could not be read. */
export interface MergedCommand {
  /** The fields the workers read (ParkedCommand), plus any a newer CLI wrote and this one does not know. */
  readonly command: Readonly<Record<string, unknown>> & ParkedCommand;
  /** The field held something that is not a ParkedCommand; it is replaced by `update` alone. */
  readonly replacedUnreadable: boolean;
}

/**
 * A later command keeps the fields it does not set: `existing` (the hash field's text, `null`
 * when absent) with `update`'s fields written over it. Text that is not a ParkedCommand's JSON
 * is something the workers ignore already, so it is replaced rather than failing the command.
 */
export function mergeParkedCommand(existing: string | null, update: ParkedCommand): MergedCommand {
  const defined = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined)) as ParkedCommand;
  if (existing === null) return { command: defined, replacedUnreadable: false };
  const held = readObject(existing);
  if (held === undefined || !ParkedCommand.safeParse(held).success) return { command: defined, replacedUnreadable: true };
  return { command: { ...held, ...defined }, replacedUnreadable: false };
}

function readObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
