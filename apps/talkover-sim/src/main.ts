import { runService } from "@callbridge/observability";
import { loadConfig, type SimulatorAppConfig } from "./config.js";
import { createSimulator } from "./simulator.js";

await runService<SimulatorAppConfig>(
  {
    name: "talkover-sim",
    loadConfig,
    shutdownDeadlineMs: () => 5_000,
    async start({ config, logger, shutdown }) {
      const simulator = createSimulator(config.simulator, { logger });
      shutdown.add("simulator", () => simulator.close());
      const url = await simulator.listen(config.port, config.host);
      logger.info({ url, campaigns: config.simulator.campaigns.map((c) => `${c.id}:${c.status}`) }, "ready");
      return undefined;
    },
  },
  process.env,
);
