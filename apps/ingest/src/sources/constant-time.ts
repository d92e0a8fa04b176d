import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets or signatures in constant time. Both sides are hashed first, so the
 * comparison takes as long whatever their lengths, and a length mismatch leaks nothing.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Compares a signature we computed with one a sender offered, in constant time for offers of
 * the right length. For values whose length is public (a base64 HMAC-SHA256 is always 44
 * characters), so a length mismatch may end early; secrets of secret length use constantTimeEqual.
 */
export function signatureEqual(expected: string, offered: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(offered, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
