// Regenerates json-schema/call-request.v1.json from the zod schema (run after `pnpm build`).
import { writeFileSync } from "node:fs";
import { callRequestJsonSchema } from "../dist/index.js";

const target = new URL("../json-schema/call-request.v1.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(callRequestJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
