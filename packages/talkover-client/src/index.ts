export { type RequestOptions, TalkoverClient, type TalkoverClientConfig } from "./client.js";
export * from "./errors.js";
export { parseRetryAfter } from "./retry-after.js";
