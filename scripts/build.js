#!/usr/bin/env node
/**
 * `npm run build`: compiles the service into one CommonJS file per entry under dist/ with esbuild.
 * The workspace packages (TypeScript sources, the generated Prisma client included) are bundled;
 * npm dependencies stay external and load from node_modules at run time, so the image needs only
 * `npm ci --omit=dev` and dist/. Type checking stays with `npm run typecheck` (tsc).
 */
const path = require('node:path');
const { buildSync } = require('esbuild');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const external = Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }).flatMap((d) => [d, `${d}/*`]);

const started = Date.now();
const result = buildSync({
  absWorkingDir: root,
  entryPoints: { reminders: 'apps/cli/src/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  // The oldest Node the service supports (package.json engines); the image runs Node 24.
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  // Development-only packages (pino-pretty is loaded by name, tsx never) must not be bundled in.
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`built dist/reminders.js (${Math.round(bytes / 1024)} KiB with its source map) in ${Date.now() - started} ms\n`);
