/** The README's configuration table and the config module name the same variables. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES } from '@reminders/core/config';
import { TEST_REDIS_URL } from '../helpers/test-env';

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

it('"Running the tests" names every variable the tests read, and the suite runs on a non-zero Redis db', () => {
  const section = readme.slice(readme.indexOf('**Running the tests.**'), readme.indexOf('`npm run typecheck`'));
  const read = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    }
  };
  walk(path.resolve(__dirname, '..'));
  const testVars = [...read].filter((v) => !['PATH', 'HOME'].includes(v));
  expect(testVars).toEqual(expect.arrayContaining(['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'TEST_LOG_LEVEL', 'CHROMIUM_PATH']));
  expect(testVars.filter((v) => !section.includes(`\`${v}\``))).toEqual([]);
  expect(section).toMatch(/npx jest tests\/\S+\.test\.ts/);
  expect(new URL(TEST_REDIS_URL).pathname).toMatch(/^\/[1-9]\d*$/);
});
