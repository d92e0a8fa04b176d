import { z } from "zod";

/**
 * An object that rejects unknown keys and says which keys it takes, so a typo such as
 * `calling_windows` is reported with the fix in sight.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `unknown key; the keys here are ${keys}` : undefined),
  });
}
