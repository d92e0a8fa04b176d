export * from "./kafka/call-request.js";
export * from "./kafka/call-result.js";
export * from "./kafka/dlq-headers.js";
export * from "./kafka/topics.js";
export * from "./phone.js";
export * from "./talkover/campaign.js";
export * from "./talkover/campaign-call.js";
export * from "./talkover/errors.js";
