export * from "./in-memory.js";
export * from "./propagation.js";
export * from "./settings.js";
export * from "./spans.js";
export * from "./start.js";
