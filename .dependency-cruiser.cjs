// The rules of the house, checked by `pnpm lint` (dependency-cruiser). Each rule's comment is
// the reason a reader meets when it fails. Workspace packages resolve through node_modules to
// their real folders (their built `dist/`, so lint runs after the build), so `@callbridge/x`
// counts as `packages/x/...` or `apps/x/...`.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-app-to-app",
      comment: "Apps depend on packages, never on each other: what two apps share belongs in a package.",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^apps/([^/]+)/", pathNot: "^apps/$1/" },
    },
    {
      name: "no-package-to-app",
      comment: "Packages are reusable pieces: they never import an app.",
      severity: "error",
      from: { path: "^packages/" },
      to: { path: "^apps/" },
    },
    {
      name: "kafkajs-only-in-packages-kafka",
      comment: "kafkajs is used only behind @callbridge/kafka (packages/kafka), so one package holds every Kafka client detail.",
      severity: "error",
      from: { pathNot: "^packages/kafka/" },
      to: { path: "node_modules/kafkajs/" },
    },
    {
      name: "test-infra-only-from-tests",
      comment: "@callbridge/test-infra starts brokers and Redis for tests and benchmarks; shipped code never imports it.",
      severity: "error",
      from: {
        pathNot: ["\\.test\\.ts$", "/test-support/", "^test/", "^bench/", "^packages/test-infra/", "^scripts/", "^infra/"],
      },
      to: { path: "^packages/test-infra/" },
    },
    {
      name: "resolvable",
      comment: "Every import resolves; run `pnpm build` first, since workspace packages resolve to their dist/.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      comment: "A cycle makes both ends one module in disguise: split out what they share.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)coverage/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
