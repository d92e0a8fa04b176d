export * from "./logger.js";
export * from "./metrics.js";
export * from "./ops-server.js";
export * from "./run-service.js";
export * from "./shutdown.js";
export * from "./tracing/index.js";
