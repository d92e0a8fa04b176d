export { CliError, EXIT } from "./errors.js";
export { runCli } from "./run.js";
