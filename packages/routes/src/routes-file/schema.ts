import { isSupportedCountry } from "libphonenumber-js/max";
import { Webhook } from "standardwebhooks";
import { z } from "zod";

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "must be 1-63 lower-case letters, digits, '-' or '_'");
const Secret = z.string().min(8, "is too short to be a secret (at least 8 characters)");

/** A dotted path into the event, e.g. `properties.phone.value` or `data.phones`. */
const FieldPath = z.string().regex(/^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/, "must be a dotted field path such as data.phone");

const HubSpotSource = z
  .object({
    kind: z.literal("hubspot"),
    /** The app's client secret: the key of all three signature versions. */
    client_secret: Secret,
    /** Signature versions accepted; v1 and v2 carry no timestamp, so they can be replayed. */
    signature_versions: z
      .array(z.enum(["v1", "v2", "v3"]))
      .min(1)
      .default(["v3", "v2", "v1"]),
  })
  .strict();

const WebhookSecret = z.string().refine((secret) => {
  try {
    new Webhook(secret);
    return true;
  } catch {
    return false;
  }
}, "must be a Standard Webhooks secret: whsec_ followed by base64");

/** `secrets: [...]`, several while rotating (any of them verifies); `secret: ...` is read as one. */
const StandardWebhooksSource = z
  .object({
    kind: z.literal("standard-webhooks"),
    secrets: z.array(WebhookSecret).min(1),
  })
  .strict();

const PipedriveSource = z
  .object({
    kind: z.literal("pipedrive"),
    /** HTTP Basic credentials configured on the Pipedrive webhook. */
    username: z.string().min(1),
    password: Secret,
  })
  .strict();

const SalesforceSource = z
  .object({
    kind: z.literal("salesforce-outbound"),
    /** Orgs allowed to send; Outbound Messages carry no signature. */
    organization_ids: z
      .array(z.string().regex(/^00D[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/, "must be a Salesforce org id (00D…, 15 or 18 characters)"))
      .min(1),
  })
  .strict();

export const SourceConfig = z.preprocess(
  (value) => {
    if (typeof value !== "object" || value === null || !("secret" in value) || (value as { kind?: unknown }).kind !== "standard-webhooks")
      return value;
    const { secret, secrets, ...rest } = value as { secret: unknown; secrets?: unknown };
    return { ...rest, secrets: Array.isArray(secrets) ? [secret, ...secrets] : [secret] };
  },
  z.discriminatedUnion("kind", [HubSpotSource, StandardWebhooksSource, PipedriveSource, SalesforceSource]),
);
export type SourceConfig = z.infer<typeof SourceConfig>;
export type SourceKind = SourceConfig["kind"];

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A mapped value: a field path, or `{ value: ... }` for a constant. */
const Mapping = z.record(z.string().min(1), z.union([FieldPath, z.object({ value: z.unknown() }).strict()]));

/**
 * Every listed field must equal the value, be one of a list's values, or (`{exists: true}`)
 * be present and not null; a boolean or number also matches its text form, as CRMs send them
 * (routing/when.ts, docs/ingest.md). Absent: every event of the source.
 */
const When = z.record(FieldPath, z.union([Scalar, z.array(Scalar).min(1), z.object({ exists: z.boolean() }).strict()])).default({});

/** Where the phone number is, in order of preference (e.g. mobile, then phone). */
const To = z.union([FieldPath, z.array(FieldPath).min(1)]).transform((to) => (Array.isArray(to) ? to : [to]));

/** Country for numbers written without a country code, ISO 3166 alpha-2. */
const DefaultCountry = z
  .string()
  .refine((code) => isSupportedCountry(code), "must be a country code libphonenumber knows, such as US or GB")
  .optional();

export const RouteConfig = z
  .object({
    name: Id,
    /** Source id (a key of `sources`). */
    source: Id,
    when: When,
    campaign_id: z.string().min(1),
    to: To,
    default_country: DefaultCountry,
    payload: Mapping.default({}),
    context: Mapping.default({}),
    is_testing: z.boolean().default(false),
    allow_duplicates: z.boolean().default(false),
    /**
     * Where the recipient's consent is (a field path). Set: every request carries `consent`,
     * true only when the value means yes (see `consentGiven`); the worker suppresses the rest
     * (`no_consent`). Absent: requests carry no `consent` and the route does not ask.
     */
    consent: FieldPath.optional(),
  })
  .strict();
export type RouteConfig = z.infer<typeof RouteConfig>;

/**
 * An opt-out: a matching event puts the number on the do-not-call list instead of calling it.
 * `when`, `to` and `default_country` mean what they mean in a route.
 */
export const OptOutConfig = z
  .object({
    name: Id,
    /** Source id (a key of `sources`). */
    source: Id,
    when: When,
    to: To,
    default_country: DefaultCountry,
  })
  .strict();
export type OptOutConfig = z.infer<typeof OptOutConfig>;

export const RoutesFile = z
  .object({
    sources: z.record(Id, SourceConfig),
    routes: z.array(RouteConfig).default([]),
    /** Opt-outs are written to the do-not-call list in Redis: the ingest needs REDIS_URL. */
    opt_outs: z.array(OptOutConfig).default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    // Names are unique across both lists: a name is part of an idempotency key and of `route:<name>`.
    const names = new Map<string, string>();
    const entries = [
      ...file.routes.map((entry, i) => ({ list: "routes", kind: "route", i, entry })),
      ...file.opt_outs.map((entry, i) => ({ list: "opt_outs", kind: "opt-out", i, entry })),
    ];
    for (const { list, kind, i, entry } of entries) {
      if (!(entry.source in file.sources)) {
        ctx.addIssue({ code: "custom", path: [list, i, "source"], message: `no source "${entry.source}" in sources` });
      }
      const first = names.get(entry.name);
      if (first !== undefined)
        ctx.addIssue({
          code: "custom",
          path: [list, i, "name"],
          message: `${kind} name "${entry.name}" is used twice (first at ${first})`,
        });
      else names.set(entry.name, `${list}[${i}]`);
    }
  });
export type RoutesFile = z.infer<typeof RoutesFile>;
