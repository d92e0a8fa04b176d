import { describe, expect, it } from "vitest";
import { fitRecord } from "./fit-record.js";
import { fitsAlone, RECORD_BATCH_OVERHEAD_BYTES, recordBytes } from "./record-size.js";

const options = {
  limitBytes: 2_000,
  trimmableHeaders: ["response_body", "error_message"],
  truncatedHeader: "value_truncated",
  originalSizeHeader: "value_original_bytes",
};

describe("recordBytes", () => {
  it("counts key, value, headers and the format's own fields", () => {
    const bare = recordBytes({ key: null, value: null });
    expect(recordBytes({ key: "k", value: "v" })).toBe(bare + 2);
    expect(recordBytes({ key: "k", value: "v", headers: { a: "b" } })).toBe(bare + 2 + 4);
    expect(recordBytes({ key: "k", value: "é" })).toBe(bare + 3);
    expect(RECORD_BATCH_OVERHEAD_BYTES + recordBytes({ key: "k", value: "x".repeat(1_000) })).toBeLessThan(1_100);
  });
});

describe("fitRecord", () => {
  it("leaves a record that fits alone", () => {
    const record = { key: "k", value: "x".repeat(100), headers: { response_body: "y".repeat(100) } };
    expect(fitRecord(record, options)).toEqual({ record, trimmed: "no" });
  });

  it("cuts the trimmable headers first, in order, and stops as soon as it fits", () => {
    const record = {
      key: "k",
      value: "x".repeat(1_000),
      headers: { response_body: "y".repeat(1_000), error_message: "z".repeat(300), keep: "w".repeat(300) },
    };
    const fitted = fitRecord(record, options);
    expect(fitted.trimmed).toBe("headers");
    expect(fitted.record.value).toBe(record.value);
    expect(fitted.record.headers?.response_body).toHaveLength(256);
    expect(fitted.record.headers?.error_message).toBe(record.headers.error_message);
    expect(fitted.record.headers?.keep).toBe(record.headers.keep);
    expect(fitsAlone(fitted.record, options.limitBytes)).toBe(true);
  });

  it("cuts the value when it does not fit alone, flagging it with its original size, to just under the limit", () => {
    const value = Buffer.from("é".repeat(3_000));
    const fitted = fitRecord({ key: "k", value, headers: { keep: "w" } }, options);
    expect(fitted.trimmed).toBe("value");
    expect(fitted.record.headers).toMatchObject({ keep: "w", value_truncated: "true", value_original_bytes: String(value.length) });
    expect(fitsAlone(fitted.record, options.limitBytes)).toBe(true);
    const kept = fitted.record.value as Buffer;
    expect(kept.length).toBeGreaterThan(options.limitBytes - 200);
    // Cut at a character boundary: it decodes to whole characters.
    expect(kept.toString("utf8")).toBe("é".repeat(kept.length / 2));
  });

  it("when the key and headers alone exceed the limit, cuts them too, flagged, so the record still fits", () => {
    const record = { key: "k".repeat(5_000), value: "v".repeat(5_000), headers: { keep: "w".repeat(3_000) } };
    const fitted = fitRecord(record, { ...options, keyTruncatedHeader: "key_truncated" });
    expect(fitted.trimmed).toBe("everything");
    expect(fitsAlone(fitted.record, options.limitBytes)).toBe(true);
    expect(fitted.record.headers).toMatchObject({ value_truncated: "true", value_original_bytes: "5000", key_truncated: "true" });
    expect(String(fitted.record.key)).toBe("k".repeat(256));
  });

  it("cuts a key longer than maxKeyBytes whatever the record's size, flagged", () => {
    const fitted = fitRecord(
      { key: "k".repeat(5_000), value: "v" },
      { ...options, limitBytes: 1_000_000, maxKeyBytes: 100, keyTruncatedHeader: "key_truncated" },
    );
    expect(String(fitted.record.key)).toBe("k".repeat(100));
    expect(fitted.record.value).toBe("v");
    expect(fitted.record.headers).toEqual({ key_truncated: "true" });
  });
});
