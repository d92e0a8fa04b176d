import { describe, expect, it } from "vitest";
import { validateCreateCall, validateStatusUpdate } from "./validation.js";

describe("validateCreateCall", () => {
  it("gives the documented messages for a missing or malformed number", () => {
    expect(validateCreateCall({})).toEqual({ ok: false, errors: { to: ["The to field is required."] } });
    expect(validateCreateCall({ to: "" })).toEqual({ ok: false, errors: { to: ["The to field is required."] } });
    expect(validateCreateCall({ to: "555-0100" })).toEqual({ ok: false, errors: { to: ["The to must be a valid phone number."] } });
    expect(validateCreateCall({ to: 14155550123 })).toEqual({ ok: false, errors: { to: ["The to must be a string."] } });
  });

  it("reports every bad field at once", () => {
    const result = validateCreateCall({ to: "+1", payload: "x", context: [1], is_testing: "true", allow_duplicates: 1 });
    expect(result).toEqual({
      ok: false,
      errors: {
        to: ["The to must be a valid phone number."],
        payload: ["The payload must be an object."],
        context: ["The context must be an object."],
        is_testing: ["The is_testing field must be true or false."],
        allow_duplicates: ["The allow_duplicates field must be true or false."],
      },
    });
  });

  it("refuses a body that is not an object", () => {
    expect(validateCreateCall([{ to: "+1234567890" }])).toEqual({
      ok: false,
      errors: { body: ["The request body must be a JSON object."] },
    });
  });

  it("accepts the documented full example and treats null as absent", () => {
    const result = validateCreateCall({ to: "+1987654321", payload: { a: 1 }, context: null, is_testing: true });
    expect(result).toEqual({
      ok: true,
      value: { to: "+1987654321", payload: { a: 1 }, context: undefined, is_testing: true, allow_duplicates: undefined },
    });
  });
});

describe("validateStatusUpdate", () => {
  it("accepts the five statuses and refuses others", () => {
    expect(validateStatusUpdate({ status: "paused" })).toEqual({ ok: true, value: "paused" });
    expect(validateStatusUpdate({ status: "live" })).toEqual({ ok: false, errors: { status: ["The selected status is invalid."] } });
    expect(validateStatusUpdate({})).toEqual({ ok: false, errors: { status: ["The status field is required."] } });
  });
});
