import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets or signatures in constant time. Both sides are hashed first, so the
 * comparison takes as long whatever their lengths, and a length mismatch leaks nothing.
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}
