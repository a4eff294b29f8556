#!/usr/bin/env node
// The `reminders` CLI. TypeScript sources run through tsx's loader, so there is no build step.
require('tsx/cjs');
require('../src/main.ts');
