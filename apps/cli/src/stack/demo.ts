import { maskPhoneNumber } from "@callbridge/schemas";
import {
  DEV_SECRETS,
  hubspotPhoneChangeEvent,
  hubspotWebhook,
  pipedrivePersonWebhook,
  type SignedWebhook,
  salesforceOutboundMessage,
  sendWebhook,
  standardWebhook,
} from "@callbridge/webhook-samples";
import type { CliContext } from "../context.js";
import type { Letter } from "../dlq/letter.js";
import { forEachLetter } from "../dlq/read-letters.js";
import { CliError } from "../errors.js";
import { table } from "../output/table.js";

export interface DemoOptions {
  readonly ingestUrl: string;
  readonly simUrl: string;
  readonly waitSeconds: number;
}

/** Area codes for the demo's numbers: with 555-0100 to 555-0199 in each, a pool of 1,000. */
const DEMO_AREA_CODES = ["212", "310", "312", "415", "503", "617", "646", "702", "718", "917"];

/**
 * `count` different US numbers nobody has: 555-0100 to 555-0199 are reserved for fiction in
 * every area code. The API answers 409 to a call to a number whose last call is still queued or
 * active, so the numbers differ within a run, and a run takes the next `count` of the pool each
 * second: two runs share a number only about three minutes apart, long after their calls ended.
 */
function demoNumbers(count: number, nowMs: number): string[] {
  const pool = DEMO_AREA_CODES.length * 100;
  const start = (Math.floor(nowMs / 1000) * count) % pool;
  return Array.from({ length: count }, (_, i) => {
    const index = (start + i) % pool;
    return `+1${DEMO_AREA_CODES[Math.floor(index / 100)]}555${String(100 + (index % 100)).padStart(4, "0")}`;
  });
}

/** A sample webhook, with how many calls the example routes place for it. */
interface DemoWebhook {
  readonly label: string;
  readonly webhook: SignedWebhook;
  readonly calls: number;
}

/**
 * Sends one signed sample webhook per source kind to a running stack (the example routes
 * and their development secrets), plus one whose phone number is unusable, then shows the
 * calls placed at the simulator and the dead letter with its reason.
 */
export async function runDemo(context: CliContext, options: DemoOptions): Promise<void> {
  const webhooks = demoWebhooks(options.ingestUrl, Date.now(), demoNumbers(6, Date.now()));
  const callsBefore = await simCallCount(options.simUrl);
  await sendWebhooks(context, options.ingestUrl, webhooks);
  const expected = webhooks.reduce((sum, w) => sum + w.calls, 0);
  const calls = await waitForCalls(options, callsBefore, expected);
  showCalls(context, calls, expected);
  await showLatestInvalidPhoneLetter(context);
  if (calls.length < expected)
    throw new CliError(`only ${calls.length} of ${expected} calls were placed within ${options.waitSeconds} s (is the worker running?)`);
}

/** One webhook per source kind, each calling one of `phones`, and one with an unusable number; `run` makes their ids unique. */
function demoWebhooks(ingestUrl: string, run: number, phones: readonly string[]): DemoWebhook[] {
  return [
    {
      label: "HubSpot app webhook (phone changed)",
      webhook: hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl }, [
        hubspotPhoneChangeEvent({ eventId: run, objectId: 9001, phone: phones[0] ?? "" }),
      ]),
      calls: 1,
    },
    {
      label: "HubSpot workflow webhook",
      webhook: hubspotWebhook(
        { sourceId: "hubspot-workflows", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl },
        { id: `demo-${run}`, properties: { firstname: "Ada", phone: phones[1] } },
      ),
      calls: 1,
    },
    {
      label: "Standard Webhooks",
      webhook: standardWebhook({
        sourceId: "standard",
        secret: DEV_SECRETS.standardWebhooksSecret,
        id: `msg_demo_${run}`,
        payload: { type: "call.requested", data: { id: `lead-${run}`, name: "Grace", phone: phones[2] } },
      }),
      calls: 1,
    },
    {
      label: "Pipedrive person created",
      webhook: pipedrivePersonWebhook(
        { sourceId: "pipedrive", username: DEV_SECRETS.pipedriveUser, password: DEV_SECRETS.pipedrivePassword },
        { eventId: `demo-${run}`, personId: 77, name: "Alan", phones: [{ value: phones[3] ?? "", primary: true }] },
      ),
      calls: 1,
    },
    {
      label: "Salesforce Outbound Message (2 leads)",
      webhook: salesforceOutboundMessage("salesforce", DEV_SECRETS.salesforceOrgId, [
        {
          id: `04l${String(run).slice(-12)}AAA`,
          objectType: "Lead",
          fields: { Id: "00Q000000000001AAA", FirstName: "Katherine", Phone: phones[4] ?? "" },
        },
        {
          id: `04l${String(run + 1).slice(-12)}AAB`,
          objectType: "Lead",
          fields: { Id: "00Q000000000002AAA", FirstName: "Dorothy", Phone: phones[5] ?? "" },
        },
      ]),
      calls: 2,
    },
    {
      label: "HubSpot phone change with an unusable number",
      webhook: hubspotWebhook({ sourceId: "hubspot", clientSecret: DEV_SECRETS.hubspotClientSecret, baseUrl: ingestUrl }, [
        hubspotPhoneChangeEvent({ eventId: run + 1, objectId: 9002, phone: "call me maybe" }),
      ]),
      calls: 0,
    },
  ];
}

/** Posts the webhooks one after another and prints how the ingest answered each. */
async function sendWebhooks(context: CliContext, ingestUrl: string, webhooks: readonly DemoWebhook[]): Promise<void> {
  const rows: string[][] = [];
  for (const { label, webhook } of webhooks) {
    let res: Response;
    try {
      res = await sendWebhook(ingestUrl, webhook);
    } catch (error) {
      throw new CliError(`cannot reach the ingest at ${ingestUrl} (is the stack running? pnpm start): ${(error as Error).message}`);
    }
    const body = await res.text();
    if (res.status === 401)
      throw new CliError(`the ingest refused the ${label} signature: it is not using the example routes file's development secrets`);
    rows.push([label, String(res.status), summarize(body)]);
  }
  context.out(`sent to ${ingestUrl}:\n${table(["WEBHOOK", "STATUS", "ANSWER"], rows)}\n`);
}

/** The calls placed at the simulator after the first `callsBefore`, once `expected` are there or the wait is over. */
async function waitForCalls(options: DemoOptions, callsBefore: number, expected: number): Promise<SimCall[]> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  let calls: SimCall[] = [];
  while (Date.now() < deadline) {
    calls = (await simCalls(options.simUrl)).slice(callsBefore);
    if (calls.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return calls;
}

function showCalls(context: CliContext, calls: readonly SimCall[], expected: number): void {
  context.out(`calls placed at the simulator (${calls.length} of ${expected} expected):`);
  context.out(
    table(
      ["CALL", "CAMPAIGN", "TO", "TEST", "PAYLOAD"],
      calls.map((c) => [c.id.slice(0, 8), c.campaign_id, maskPhoneNumber(c.to), String(c.is_testing), JSON.stringify(c.payload)]),
    ),
  );
}

/** Prints the newest dead letter with reason `invalid_phone`, if there is one. */
async function showLatestInvalidPhoneLetter(context: CliContext): Promise<void> {
  let letter: Letter | undefined;
  await forEachLetter(context, (letters) => {
    letter = letters.filter((l) => l.reason === "invalid_phone").at(-1) ?? letter;
    return "more";
  });
  if (letter) {
    context.out(
      `\nthe dead letter (callbridge dlq inspect ${letter.id}):\n  reason   ${letter.reason}\n  message  ${letter.message ?? "-"}\n  route    ${letter.route ?? "-"}\n  campaign ${letter.campaign ?? "-"}`,
    );
  }
}

interface SimCall {
  id: string;
  campaign_id: string;
  to: string;
  is_testing: boolean;
  payload: Record<string, unknown>;
}

async function simCalls(simUrl: string): Promise<SimCall[]> {
  try {
    return ((await (await fetch(`${simUrl}/_sim/calls`)).json()) as { calls: SimCall[] }).calls;
  } catch (error) {
    throw new CliError(`cannot reach the Talkover simulator at ${simUrl}: ${(error as Error).message}`);
  }
}

async function simCallCount(simUrl: string): Promise<number> {
  return (await simCalls(simUrl)).length;
}

function summarize(body: string): string {
  if (body.includes("<Ack>true</Ack>")) return "SOAP Ack true";
  return body.length > 80 ? `${body.slice(0, 77)}...` : body;
}
