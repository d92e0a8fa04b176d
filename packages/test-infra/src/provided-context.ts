// What the global setups hand to tests through vitest's provide/inject.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string;
    redisUrl: string;
  }
}
