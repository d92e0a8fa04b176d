export * from "./brokers.js";
export * from "./env.js";
