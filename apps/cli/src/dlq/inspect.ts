import { parseTraceparent, TRACEPARENT_HEADER } from "@callbridge/observability";
import { maskPhoneNumbersIn } from "@callbridge/schemas";
import type { CliContext } from "../context.js";
import { CliError, interruptedError, usageError } from "../errors.js";
import type { Letter } from "./letter.js";
import { listRow } from "./list.js";
import { maskHeaders, maskValue, plainValue } from "./mask-letter.js";
import { forEachLetter } from "./read-letters.js";

/** One letter whole: every header and the value (phone numbers masked unless `reveal`). */
export async function inspectLetter(context: CliContext, id: string, options: { reveal?: boolean }): Promise<void> {
  const match = /^(\d+):(\d+)$/.exec(id);
  if (!match) throw usageError(`${id}: give the letter's id as partition:offset, as dlq list shows it`);
  const [partition, offset] = [Number(match[1]), BigInt(match[2] ?? "0")];
  let letter: Letter | undefined;
  // Only the letter's partition is read, and only up to the letter.
  const end = await forEachLetter(
    context,
    (letters) => {
      letter = letters.find((l) => l.id === `${partition}:${offset}`);
      return letter !== undefined || BigInt(letters.at(-1)?.offset ?? "-1") >= offset ? "stop" : "more";
    },
    { partitions: [partition] },
  );
  if (end === "aborted") throw interruptedError(context.signal, `stopped looking for ${id}`);
  if (!letter) throw new CliError(`no dead letter ${id} in ${context.topics.deadLetters}`);

  for (const text of shownLetter(letter, { reveal: options.reveal ?? false, json: context.json, topic: context.topics.deadLetters })) {
    context.out(text);
  }
}

/**
 * What `dlq inspect` prints for a letter: on a terminal the key, the trace id (from its
 * `traceparent`, when it has a valid one), every header and the value; with `json`, one JSON
 * text with the same and `trace_id` (null without one).
 */
export function shownLetter(letter: Letter, options: { reveal: boolean; json: boolean; topic: string }): string[] {
  const key = letter.record.key?.toString("utf8") ?? "";
  const headers = options.reveal ? letter.record.headers : maskHeaders(letter.record.headers);
  const value = options.reveal ? plainValue(letter.record.value) : maskValue(letter.record.value);
  const shownKey = options.reveal ? key : maskPhoneNumbersIn(key);
  const traceId = parseTraceparent(letter.record.headers[TRACEPARENT_HEADER])?.traceId;
  if (options.json) {
    const message = letter.message === undefined ? null : options.reveal ? letter.message : maskPhoneNumbersIn(letter.message);
    const shown = { ...listRow(letter), key: shownKey, error_message: message, trace_id: traceId ?? null, headers, value };
    return [JSON.stringify(shown, null, 2)];
  }
  const width = Math.max(...Object.keys(headers).map((name) => name.length));
  const text = typeof value === "string" || value === null ? String(value) : JSON.stringify(value, null, 2);
  return [
    `dead letter ${letter.id} in ${options.topic}`,
    `key: ${shownOnTerminal(shownKey, SHOWN_KEY_CHARS)}`,
    ...(traceId === undefined ? [] : [`trace: ${traceId}`]),
    "\nheaders:",
    ...Object.entries(headers).map(([name, v]) => `  ${name.padEnd(width)}  ${v}`),
    `\nvalue:\n${shownOnTerminal(text)}`,
  ];
}

/** The value and the key as a terminal shows them: at most this many characters (`--json` prints them whole). */
const SHOWN_VALUE_CHARS = 16_384;
const SHOWN_KEY_CHARS = 1_024;

/** `text`, cut for a terminal with a line saying how much was left out. */
export function shownOnTerminal(text: string, maxChars = SHOWN_VALUE_CHARS): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n... (${text.length - maxChars} more characters; --json prints it whole)`;
}
