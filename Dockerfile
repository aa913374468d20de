# One image for every Marketlens process (web, realtime gateway, collector, replay exchange, CLI);
# docker-compose.yml picks the role with `command`. Edit when the build steps change (keep them in
# step with scripts/lib/install.mjs and scripts/lib/build.mjs, which do the same outside Docker).
FROM node:20-bookworm-slim

WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

COPY package.json package-lock.json ./
# Not `npm ci`: the lockfile does not list other platforms' optional packages (docs/operations.md).
RUN npm install --no-audit --no-fund

COPY . .
# The Prisma schema engine cannot be downloaded offline and generate does not need it.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate \
 && npx next build \
 && chown -R node:node .next

ENV NODE_ENV=production
USER node
EXPOSE 3000 3001 3002
CMD ["node_modules/.bin/next", "start", "-p", "3000"]
