export { type BuildWorkerDeps, buildWorker } from "./build-worker.js";
export { loadConfig, type WorkerConfig, WorkerEnv } from "./config.js";
export { type Deferral, deferralRecord, readDeferredRecord } from "./deferral/deferral-record.js";
export { type BeginResult, type Finish, InMemoryLedger, type Ledger, type PlacedEntry } from "./ledger/ledger.js";
export { RedisLedger } from "./ledger/redis-ledger.js";
export { CallLimiter, type CallLimiterConfig, type LimiterMode, type LimiterObserver } from "./limiter/call-limiter.js";
export { createWorkerMetrics, type WorkerMetrics } from "./metrics.js";
export { StartupError } from "./startup-error.js";
export { createWorker, type Readiness, type Worker, type WorkerDeps } from "./worker.js";
