// Writes every dashboard to infra/grafana/dashboards/ (`pnpm --filter @callbridge/grafana-dashboards generate`,
// which then formats them with Biome so `pnpm lint` agrees).
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DASHBOARDS, toJson } from "./index.js";

const dir = fileURLToPath(new URL("../dashboards/", import.meta.url));
mkdirSync(dir, { recursive: true });
for (const { file, build } of DASHBOARDS) {
  writeFileSync(`${dir}${file}`, `${JSON.stringify(toJson(build()), null, 2)}\n`);
  console.error(`wrote infra/grafana/dashboards/${file}`);
}
