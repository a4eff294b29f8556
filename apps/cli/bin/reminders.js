#!/usr/bin/env node
// The `reminders` CLI. In a checkout the TypeScript sources run through tsx's loader, so a change
// takes effect without a build; where the sources are not shipped (the Docker image) it runs the
// compiled build, dist/reminders.js (`npm run build`).
const { existsSync } = require('node:fs');
const path = require('node:path');

const sources = path.join(__dirname, '../src/main.ts');
if (existsSync(sources)) {
  require('tsx/cjs');
  require(sources);
} else {
  require(path.join(__dirname, '../../../dist/reminders.js'));
}
