# syntax=docker/dockerfile:1
# One image for every role: docker-compose.yml runs it as `migrate`, `api` and `worker`.
# Two stages: `build` installs every dependency, generates the Prisma client and compiles the
# service into dist/ (`npm run build`); the image itself holds only the production dependencies,
# dist/ and the SQL migrations, and runs compiled JavaScript on Node 24 LTS. Configuration comes
# only from the environment at run time: nothing secret is baked into the image.
FROM node:24-bookworm-slim AS build

ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

# Manifests first, so the dependency layer is rebuilt only when they change. Every workspace's
# package.json must be here for `npm ci` to link it (tests/unit/docker-compose.test.ts checks).
COPY package.json package-lock.json prisma.config.ts ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY apps/cli/package.json apps/cli/
COPY apps/cli/bin apps/cli/bin/
COPY prisma prisma/
COPY scripts scripts/

# --ignore-scripts: dependencies' install scripts are not needed (DESIGN.md) and the Prisma ones
# would try to download engines; the project's own Prisma generation is run explicitly.
RUN npm ci --ignore-scripts \
 && node scripts/prisma-generate.js

COPY . .
RUN npm run build

FROM node:24-bookworm-slim

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PATH=/app/node_modules/.bin:$PATH \
    NODE_OPTIONS=--enable-source-maps \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

WORKDIR /app

COPY package.json package-lock.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY packages/core/package.json packages/core/
COPY apps/cli/package.json apps/cli/
COPY apps/cli/bin apps/cli/bin/
RUN npm ci --omit=dev --ignore-scripts \
 && npm cache clean --force

# No TypeScript sources: `reminders` (apps/cli/bin) runs dist/reminders.js when they are absent.
COPY prisma/migrations prisma/migrations/
COPY --from=build /app/dist dist/

# The code stays owned by root and read-only for the process.
USER node

EXPOSE 3000
CMD ["reminders", "serve-api"]
