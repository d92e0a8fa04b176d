export { freePort, portFree } from "./ports.js";
