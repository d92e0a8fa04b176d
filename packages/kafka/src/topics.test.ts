import { describe, expect, it } from "vitest";
import { topicCatalog } from "./topics.js";

describe("topicCatalog", () => {
  it("uses the documented topic names by default", () => {
    const catalog = topicCatalog();
    expect([catalog.callRequests.name, catalog.callRequestsDlq.name, catalog.callResults.name]).toEqual([
      "callbridge.call-requests.v1",
      "callbridge.call-requests.v1.dlq",
      "callbridge.call-results.v1",
    ]);
  });

  it("takes overridden names and partition counts, keeping dead letters longer", () => {
    const catalog = topicCatalog({ names: { callRequests: "t.requests" }, partitions: 4 });
    expect(catalog.callRequests).toMatchObject({ name: "t.requests", partitions: 4 });
    expect(catalog.callRequestsDlq.name).toBe("callbridge.call-requests.v1.dlq");
    expect(catalog.callRequestsDlq.retentionMs).toBeGreaterThan(catalog.callRequests.retentionMs);
  });
});
