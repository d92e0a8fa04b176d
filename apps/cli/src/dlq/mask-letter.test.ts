import { DLQ_HEADERS } from "@callbridge/schemas";
import { describe, expect, it } from "vitest";
import { maskHeaders, maskValue } from "./mask-letter.js";

describe("masking a letter for dlq inspect", () => {
  it("masks phone-like values in every format, field by field, and keeps the JSON", () => {
    const value = {
      to: "+14155550142",
      raw_phone: "+1 (415) 555-0904",
      mobile: "415.555.0905",
      phones: [{ value: "(415) 555-0906", primary: true }],
      as_number: 4155550907,
      deal_id: 123456,
      amount: 1234567.89,
      created_at: "2026-11-27T12:00:00Z",
      event_id: "550e8400-e29b-41d4-a716-446655440000",
      occurred_at_ms: 1764244800000,
    };
    expect(maskValue(Buffer.from(JSON.stringify(value)))).toEqual({
      to: "+1415*****42",
      raw_phone: "+1 (415) ***-**04",
      mobile: "415.***.**05",
      phones: [{ value: "(415) ***-**06", primary: true }],
      as_number: "415*****07",
      deal_id: 123456,
      amount: 1234567.89,
      created_at: "2026-11-27T12:00:00Z",
      event_id: "550e8400-e29b-41d4-a716-446655440000",
      occurred_at_ms: 1764244800000,
    });
  });

  it("masks a value that is not JSON as text", () => {
    expect(maskValue(Buffer.from("call 415-555-0908 {"))).toBe("call 415-***-**08 {");
    expect(maskValue(null)).toBeNull();
  });

  it("masks headers but leaves offsets, sizes and times alone", () => {
    expect(
      maskHeaders({
        [DLQ_HEADERS.errorMessage]: "invalid number 415.555.0905",
        [DLQ_HEADERS.originalOffset]: "12345678",
        [DLQ_HEADERS.originalValueBytes]: "2000000",
        [DLQ_HEADERS.originalTimestamp]: "1764244800000",
        "callbridge.source.id": "4155550909",
      }),
    ).toEqual({
      [DLQ_HEADERS.errorMessage]: "invalid number 415.***.**05",
      [DLQ_HEADERS.originalOffset]: "12345678",
      [DLQ_HEADERS.originalValueBytes]: "2000000",
      [DLQ_HEADERS.originalTimestamp]: "1764244800000",
      "callbridge.source.id": "415*****09",
    });
  });
});
