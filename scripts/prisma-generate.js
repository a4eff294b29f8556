#!/usr/bin/env node
// Runs `prisma generate` without letting the CLI download a schema engine: generation does not
// need one, and these machines cannot reach the engine CDN (DESIGN.md, "Prisma on these machines").
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'scripts', 'no-schema-engine'),
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate', '--schema', 'prisma/schema.prisma'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
