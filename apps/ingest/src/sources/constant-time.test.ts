import { describe, expect, it } from "vitest";
import { constantTimeEqual } from "./constant-time.js";

describe("constantTimeEqual", () => {
  it("is true for equal strings", () => {
    expect(constantTimeEqual("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")).toBe(
      true,
    );
  });

  it("is false for strings of the same length that differ in one character", () => {
    expect(constantTimeEqual("callbridge:s3cret", "callbridge:s3creT")).toBe(false);
  });

  it("is false for strings of different lengths, including a prefix of the other", () => {
    expect(constantTimeEqual("callbridge:s3cret", "callbridge:s3cre")).toBe(false);
    expect(constantTimeEqual("", "x")).toBe(false);
  });

  it("is true for a Buffer and a string holding the same UTF-8 bytes", () => {
    expect(constantTimeEqual(Buffer.from("José:pässword", "utf8"), "José:pässword")).toBe(true);
  });

  it("is false for a Buffer and a string holding different bytes", () => {
    expect(constantTimeEqual(Buffer.from("José", "latin1"), "José")).toBe(false);
  });
});
