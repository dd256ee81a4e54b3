# syntax=docker/dockerfile:1
# Multi-stage image: build with the dev dependencies, run with production ones only, as a non-root user.
#   docker build -t phone-agent-api .
#   docker run --init -p 3000:3000 --env-file .env phone-agent-api
# Migrations run at start-up (under an advisory lock, so several instances may start at once);
# `docker run ... phone-agent-api node dist/scripts/db-migrate.js` applies them alone.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY scripts ./scripts
COPY bench ./bench
COPY sql ./sql
RUN npx nest build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
# package.json and sql/ mark the project folder (src/common/project-root.ts) and carry the migrations.
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/sql ./sql
USER node
EXPOSE 3000
# /health pings the database: a failing check takes the instance out of rotation.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains live calls (SHUTDOWN_DRAIN_SECONDS) before exiting: give `docker stop -t` more than that.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
