import type { CliContext } from "../context.js";
import { CliError, usageError } from "../errors.js";
import { maskPhonesIn } from "./letter.js";
import { summary } from "./list.js";
import { readLetters } from "./read-letters.js";

/** One letter whole: every header and the value (phone numbers masked unless `reveal`). */
export async function inspectLetter(context: CliContext, id: string, options: { reveal?: boolean }): Promise<void> {
  if (!/^\d+:\d+$/.test(id)) throw usageError(`${id}: give the letter's id as partition:offset, as dlq list shows it`);
  const letter = (await readLetters(context)).find((l) => l.id === id);
  if (!letter) throw new CliError(`no dead letter ${id} in ${context.topics.deadLetters}`);
  const show = (text: string) => (options.reveal ? text : maskPhonesIn(text));
  const value = letter.record.value === null ? null : show(letter.record.value.toString("utf8"));
  let parsed: unknown = value;
  try {
    parsed = value === null ? null : JSON.parse(value);
  } catch {
    // not JSON (an invalid_message letter): shown as text
  }
  const headers = Object.fromEntries(Object.entries(letter.record.headers).map(([name, v]) => [name, show(v)]));
  if (context.json) {
    context.out(
      JSON.stringify({ ...summary(letter), key: show(letter.record.key?.toString("utf8") ?? ""), headers, value: parsed }, null, 2),
    );
    return;
  }
  const width = Math.max(...Object.keys(headers).map((name) => name.length));
  context.out(`dead letter ${letter.id} in ${context.topics.deadLetters}`);
  context.out(`key: ${show(letter.record.key?.toString("utf8") ?? "")}\n\nheaders:`);
  for (const [name, v] of Object.entries(headers)) context.out(`  ${name.padEnd(width)}  ${v}`);
  context.out(`\nvalue:\n${typeof parsed === "string" || parsed === null ? String(parsed) : JSON.stringify(parsed, null, 2)}`);
}
