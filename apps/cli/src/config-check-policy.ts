import { readFileSync } from "node:fs";
import { isRecipientPolicyText, loadRecipientPolicy, placeOf, policyFor, type RecipientPolicy } from "@callbridge/recipient-policy";
import { E164_PATTERN, maskPhoneNumber } from "@callbridge/schemas";
import { type ConfigCheckOptions, checkConfig } from "./config-check.js";
import { effectiveText, matchText, policyDefaultsText, setsText, windowText } from "./config-check-policy-text.js";
import { effectiveJson, windowJson, windowReport } from "./config-check-policy-window.js";
import type { CliContext } from "./context.js";
import { CliError, usageError } from "./errors.js";
import { table } from "./output/table.js";

export interface PolicyCheckOptions {
  /** An E.164 number to show the policy for. */
  readonly number?: string;
  /** The instant to judge the window at, ISO 8601 with an offset; default now. */
  readonly at?: string;
  readonly campaign?: string;
  readonly route?: string;
  /** Judge the number for a request with `is_testing: true`. */
  readonly testing?: boolean;
  readonly reveal?: boolean;
}

const POLICY_ONLY = ["number", "at", "campaign", "route", "testing"] as const;

/** The first policy-only option given (a flag set to false is not given). */
function givenPolicyOption(options: PolicyCheckOptions): string | undefined {
  return POLICY_ONLY.find((option) => options[option] !== undefined && options[option] !== false);
}

/**
 * `config check <file>`: a file whose `kind` is `recipient-policy` is checked as a recipient
 * policy; any other as a routes file. Options of the other kind of file are usage errors.
 */
export function checkConfigFile(
  context: CliContext,
  file: string,
  env: Record<string, string | undefined>,
  options: ConfigCheckOptions & PolicyCheckOptions,
): void {
  if (isRecipientPolicyFile(file)) {
    if (options.source !== undefined || options.event !== undefined)
      throw usageError(`--${options.event === undefined ? "source" : "event"} is for routes files; ${file} is a recipient policy`);
    checkPolicyFile(context, file, options);
    return;
  }
  const given = givenPolicyOption(options);
  if (given !== undefined)
    throw usageError(`--${given} is for recipient policy files (kind: recipient-policy); ${file} is read as a routes file`);
  checkConfig(context, file, env, options);
}

/** An unreadable or broken file is not one: the routes check says what is wrong with it. */
function isRecipientPolicyFile(file: string): boolean {
  try {
    return isRecipientPolicyText(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

/**
 * Validates a recipient policy file the way the worker does at start-up and prints its
 * defaults and overrides; with `--number`, what it does for that number at `--at`.
 */
function checkPolicyFile(context: CliContext, file: string, options: PolicyCheckOptions): void {
  const loaded = loadRecipientPolicy(file);
  if (!loaded.ok) {
    if (context.json) context.out(JSON.stringify({ valid: false, problems: loaded.problems }, null, 2));
    else context.out(loaded.problems.join("\n"));
    throw new CliError(`${file} is not valid (${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"})`);
  }
  const { policy } = loaded;
  if (options.number === undefined) {
    const stray = givenPolicyOption(options);
    if (stray !== undefined) throw usageError(`--${stray} needs --number <E.164>: the number to show the policy for`);
    if (context.json) context.out(JSON.stringify({ valid: true, kind: "recipient-policy", policy }, null, 2));
    else printPolicy(context, file, policy);
    return;
  }
  printForNumber(context, policy, options.number, options);
}

function printPolicy(context: CliContext, file: string, policy: RecipientPolicy): void {
  context.out(`${file} is a valid recipient policy\n`);
  context.out(policyDefaultsText(policy).join("\n"));
  if (policy.overrides.length === 0) {
    context.out("\nno overrides");
    return;
  }
  context.out("");
  context.out(
    table(
      ["OVERRIDE", "MATCH", "SETS"],
      policy.overrides.map((o) => [o.name, matchText(o.match), setsText(o)]),
    ),
  );
  context.out("\n(overrides apply in this order; each replaces what it sets)");
}

function printForNumber(context: CliContext, policy: RecipientPolicy, number: string, options: PolicyCheckOptions): void {
  if (!E164_PATTERN.test(number)) throw usageError("--number: must be an E.164 number such as +14155550123");
  const atMs = options.at === undefined ? context.nowMs() : parseInstant(options.at);
  const place = placeOf(number);
  const effective = policyFor(policy, {
    ...(place.country === undefined ? {} : { country: place.country }),
    ...(place.region === undefined ? {} : { region: place.region }),
    campaignId: options.campaign ?? "",
    ...(options.route === undefined ? {} : { route: options.route }),
  });
  const testing = options.testing === true;
  const report = windowReport(effective, place.zones, atMs, testing);
  const shown = options.reveal ? number : maskPhoneNumber(number);
  if (context.json) {
    const at = new Date(atMs).toISOString();
    const result = {
      valid: true,
      number: shown,
      at,
      is_testing: testing,
      place,
      policy: effectiveJson(effective),
      window: windowJson(report),
    };
    context.out(JSON.stringify(result, null, 2));
    return;
  }
  const where = [`country ${place.country ?? "unknown"}`, `region ${place.region ?? "none"}`].join(", ");
  const zones =
    place.zones.length === 0 ? "time zone unknown" : `time zone${place.zones.length === 1 ? "" : "s"} ${place.zones.join(", ")}`;
  context.out(`${shown}: ${where}; ${zones}`);
  context.out(`overrides that apply: ${effective.overrides.length === 0 ? "none" : effective.overrides.join(", ")}`);
  if (options.campaign === undefined) context.out("  (no --campaign: overrides matching a campaign are left out)");
  context.out(effectiveText(effective).join("\n"));
  if (testing) context.out("request: is_testing (--testing)");
  context.out(windowText(report, atMs, place.zones, effective.window.hours));
}

/** An ISO 8601 instant with `Z` or an offset: without one it would be read in this machine's zone. */
function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(ms))
    throw usageError(`--at ${text}: must be an ISO 8601 time with Z or an offset, such as 2026-06-10T12:00:00Z`);
  return ms;
}
