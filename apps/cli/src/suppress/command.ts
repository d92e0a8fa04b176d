import { SUPPRESSION_LIST_KEY, SuppressionListReason } from "@callbridge/schemas";
import { type Command, Option } from "commander";
import type { CliContext } from "../context.js";
import { addNumbers, removeFromList } from "./edit.js";
import { exportList } from "./export.js";
import { importList } from "./import.js";
import { listSuppressed } from "./list.js";
import type { RedisTarget } from "./store.js";

/** What the suppress commands need of the CLI's io besides the context: stderr, and whether it is a terminal. */
export interface SuppressIo {
  readonly err: (text: string) => void;
  readonly interactive: boolean;
}

interface EditOptions {
  reason: SuppressionListReason;
  defaultCountry?: string;
}

/** `suppress add`, `suppress remove`, `suppress list`, `suppress import`, `suppress export`. */
export function addSuppressCommands(program: Command, context: () => CliContext, io: SuppressIo): void {
  const suppress = program
    .command("suppress")
    .description(`the do-not-call list the workers check before every call (Redis hash ${SUPPRESSION_LIST_KEY})`);
  const add = withRedis(suppress.command("add").description("put numbers on the list (a number listed already is kept as it was)"))
    .argument("<number...>", "phone numbers, E.164 or national with --default-country")
    .addOption(reasonOption())
    .addOption(countryOption());
  add.action((numbers: string[], options: EditOptions) =>
    addNumbers(context(), numbers, { reason: options.reason, defaultCountry: options.defaultCountry, redis: redisTarget(add) }),
  );
  const remove = withRedis(suppress.command("remove").description("take numbers off the list; says which were not listed"))
    .argument("<number...>", "phone numbers, as for add")
    .addOption(countryOption());
  remove.action((numbers: string[], options: { defaultCountry?: string }) =>
    removeFromList(context(), numbers, { defaultCountry: options.defaultCountry, redis: redisTarget(remove) }),
  );
  const list = withRedis(
    suppress.command("list").description("every listed number (masked), its reason, source and when it was added"),
  ).option("--reveal", "show whole numbers", false);
  list.action((options: { reveal: boolean }) => listSuppressed(context(), { reveal: options.reveal, redis: redisTarget(list) }));
  const importCommand = withRedis(
    suppress
      .command("import")
      .description("add the numbers of a CSV file (first column; optional header); bad lines are named and skipped"),
  )
    .argument("<file>", "the CSV file")
    .addOption(reasonOption())
    .addOption(countryOption());
  importCommand.action((file: string, options: EditOptions) =>
    importList(context(), io, file, { reason: options.reason, defaultCountry: options.defaultCountry, redis: redisTarget(importCommand) }),
  );
  const exportCommand = withRedis(
    suppress.command("export").description(`the whole list as CSV (whole numbers), header number,reason,source,added_at`),
  ).option("--out <file>", "write to this file instead of stdout");
  exportCommand.action((options: { out?: string }) =>
    exportList(context(), io.err, { out: options.out, redis: redisTarget(exportCommand) }),
  );
}

function withRedis(command: Command): Command {
  return command.addOption(new Option("--redis <url>", "the Redis the workers share").env("REDIS_URL"));
}

function redisTarget(command: Command): RedisTarget {
  return {
    url: command.opts<{ redis?: string }>().redis,
    source: command.getOptionValueSource("redis") === "env" ? "REDIS_URL" : "--redis",
  };
}

function reasonOption(): Option {
  return new Option("--reason <reason>", "why the numbers are listed").choices(SuppressionListReason.options).default("do_not_call");
}

function countryOption(): Option {
  return new Option("--default-country <code>", "country of numbers written without +country code (ISO 3166, e.g. US)");
}
