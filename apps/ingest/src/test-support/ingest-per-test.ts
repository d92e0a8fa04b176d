import { afterEach } from "vitest";
import { startTestIngest, type TestIngest, type TestIngestOptions } from "./start-ingest.js";

/**
 * For a test file: a function that starts an ingest on `brokers` (see startTestIngest), each
 * one stopped after the test that started it. Call at the top level of the file.
 */
export function ingestPerTest(brokers: string): (options?: TestIngestOptions) => Promise<TestIngest> {
  const running: TestIngest[] = [];
  afterEach(async () => {
    for (const ingest of running.splice(0)) await ingest.stop();
  });
  return async (options = {}) => {
    const ingest = await startTestIngest(brokers, options);
    running.push(ingest);
    return ingest;
  };
}
