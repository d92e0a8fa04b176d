# syntax=docker/dockerfile:1
# One image recipe for every app: ingest, worker, talkover-sim (development only) and cli.
# Build from the repository root (the context must hold the whole workspace):
#   docker build --build-arg APP=ingest -t callbridge/ingest .
# Services listen on their apps' default ports (ingest 8080 and 9464, worker 9465,
# talkover-sim 4010) on every interface; health checks live in infra/docker-compose.yml,
# since each app answers on its own path (/readyz, /_sim/health) and the cli is one-shot.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: the whole workspace, then a pruned copy of the one app ----
FROM ${NODE_IMAGE} AS build
ARG APP
RUN case "$APP" in ingest|worker|talkover-sim|cli) ;; \
      *) echo "set --build-arg APP=ingest|worker|talkover-sim|cli (got '$APP')" >&2; exit 1 ;; esac
ENV CI=true TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /repo
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# pnpm at the version pinned in package.json's packageManager.
RUN npm install --global --no-audit --no-fund "pnpm@$(node -p 'require("./package.json").packageManager.split("@")[1]')"
# Every locked package into the store, from the lockfile alone: source edits keep this layer.
RUN --mount=type=cache,id=callbridge-pnpm-store,target=/pnpm/store \
    pnpm fetch --frozen-lockfile --store-dir /pnpm/store
COPY . .
RUN --mount=type=cache,id=callbridge-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --prefer-offline --store-dir /pnpm/store
RUN --mount=type=cache,id=callbridge-turbo,target=/repo/.turbo/cache \
    pnpm turbo run build --filter="@callbridge/${APP}..."
# /out: package.json, dist and production node_modules, with the workspace packages copied
# in (their dist included). pnpm 10's deploy wants injected workspace packages; setting it
# for this command only keeps the frozen install above consistent with the lockfile.
RUN --mount=type=cache,id=callbridge-pnpm-store,target=/pnpm/store \
    pnpm --config.inject-workspace-packages=true --filter="@callbridge/${APP}" \
      deploy --prod --prefer-offline --store-dir /pnpm/store /out

# ---- runtime: node, the app's dist and production dependencies, nothing else ----
FROM ${NODE_IMAGE} AS runtime
# HOST: listen beyond loopback inside the container. ROUTES_FILE is read by the ingest only:
# the example routes file (its secrets come from env, with development defaults); mount your
# own and point ROUTES_FILE at it.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    ROUTES_FILE=/app/config/routes.example.yaml
WORKDIR /app
# Owned by root, readable by everyone: the process cannot rewrite its own code.
COPY --from=build /out/package.json ./package.json
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /out/dist ./dist
COPY config/routes.example.yaml ./config/routes.example.yaml
# The image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
# Services run with no arguments; the cli takes its command: `docker run --rm IMAGE dlq list`.
ENTRYPOINT ["node", "/app/dist/main.js"]
