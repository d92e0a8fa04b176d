export { loadConfig, type WorkerConfig, WorkerEnv } from "./config.js";
export { startOpsServer } from "./http/server.js";
export { InMemoryLedger, type Ledger, type PlacedEntry } from "./ledger/ledger.js";
export { RedisLedger } from "./ledger/redis-ledger.js";
export { CallLimiter, type CallLimiterConfig, type LimiterObserver } from "./limiter/call-limiter.js";
export { ConcurrencyLimiter } from "./limiter/concurrency-limiter.js";
export { createLimiter } from "./limiter/create-limiter.js";
export { createWorker, type Worker, type WorkerDeps, type WorkerLimiter } from "./worker.js";
