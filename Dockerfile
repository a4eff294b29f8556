# syntax=docker/dockerfile:1
# One image for every role: docker-compose.yml runs it as `migrate`, `api` and `worker`.
# The TypeScript sources run through tsx, so there is no build stage. Configuration comes only
# from the environment at run time: nothing secret is baked into the image.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PATH=/app/node_modules/.bin:$PATH \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change. Every workspace's
# package.json must be here for `npm ci` to link it (tests/unit/docker-compose.test.ts checks).
# The root postinstall generates the Prisma client from prisma/schema.prisma with scripts/.
COPY package.json package-lock.json prisma.config.ts ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY packages/cli/package.json packages/cli/
COPY packages/cli/bin packages/cli/bin/
COPY prisma prisma/
COPY scripts scripts/

# --ignore-scripts: dependencies' install scripts are not needed at run time (DESIGN.md) and the
# Prisma ones would try to download engines; the project's own postinstall is run explicitly.
RUN npm ci --omit=dev --ignore-scripts \
 && node scripts/prisma-generate.js \
 && npm cache clean --force

COPY . .

# The code stays owned by root and read-only for the process; tsx writes its cache to /tmp.
USER node

EXPOSE 3000
CMD ["reminders", "serve-api"]
