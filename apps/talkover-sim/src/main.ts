import { createLogger } from "@callbridge/observability";
import { loadConfig } from "./config.js";
import { createSimulator } from "./simulator.js";

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  console.error(`talkover-sim: invalid configuration\n  ${loaded.problems.join("\n  ")}`);
  process.exit(2);
}
const { config } = loaded;
const logger = createLogger({ name: "talkover-sim", level: config.logLevel });
const simulator = createSimulator(config.simulator, { logger });

try {
  const url = await simulator.listen(config.port, config.host);
  logger.info({ url, campaigns: config.simulator.campaigns.map((c) => `${c.id}:${c.status}`) }, "ready");
} catch (error) {
  logger.fatal({ err: error, port: config.port, host: config.host }, "could not listen");
  process.exit(1);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    logger.info({ signal }, "stopping");
    void simulator.close().then(() => process.exit(0));
  });
}
