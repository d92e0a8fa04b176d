export { freePort, freePortBelowEphemeralRange, portFree } from "./ports.js";
