import { describe, expect, it } from "vitest";
import { constantTimeEqual, signatureEqual } from "./constant-time.js";

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

describe("signatureEqual", () => {
  const signature = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  it("is true for the same signature", () => {
    expect(signatureEqual(signature, `${signature}`)).toBe(true);
  });

  it("is false for a signature that differs in one character, or in case", () => {
    expect(signatureEqual(signature, signature.replace("g0h", "g0H"))).toBe(false);
    expect(signatureEqual(signature, signature.replace("OTP", "OTQ"))).toBe(false);
  });

  it("is false for a prefix, a longer text, or text of the same length in other bytes", () => {
    expect(signatureEqual(signature, signature.slice(0, -1))).toBe(false);
    expect(signatureEqual(signature, `${signature}=`)).toBe(false);
    expect(signatureEqual(signature, "")).toBe(false);
    expect(signatureEqual("ab", "aé")).toBe(false);
  });
});
