export { loadConfig, type SimulatorAppConfig, SimulatorEnv } from "./config.js";
export { Faults, type FaultsInput, NO_FAULTS } from "./faults.js";
export { createSimulator, type Simulator, type SimulatorConfig, type SimulatorDeps } from "./simulator.js";
export type { CallLifecycle } from "./state/call-store.js";
export { type CampaignSeed, DEFAULT_CAMPAIGNS } from "./state/campaigns.js";
export type { SimulatorClock } from "./state/simulator-state.js";
