/** The README's configuration table and the config module name the same variables. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '@reminders/core/config';

const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## How it works'));
const documented = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));

it('documents every configuration variable', () => {
  expect(CONFIG_VARIABLES.filter((v) => !documented.has(v))).toEqual([]);
});

it('documents no variable the service does not read', () => {
  expect([...documented].filter((v) => !CONFIG_VARIABLES.includes(v))).toEqual([]);
});

it('keeps the two-command quick start', () => {
  expect(readme).toMatch(/npm install/);
  expect(readme).toMatch(/npm start/);
  expect(readme).toMatch(/npm test/);
});
