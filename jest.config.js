/** Tests talk to the real Postgres and Redis; each file gets its own database and key prefix. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Jest 30's "soft" globals cleanup wraps global properties again in every test file; run in band
  // over 40+ files the nested setters overflowed the stack (RangeError in a later file). Off: each
  // file already closes what it opens.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // A few dependencies ship ESM only (content-disposition 3 via @fastify/static, cookie 2 via
    // light-my-request). Node 20 loads them with require(esm); Jest's module runtime cannot, so
    // they are compiled to CommonJS here.
    '^.+\\.m?js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie)/)'],
  moduleNameMapper: {
    '^@reminders/core/(.*)$': '<rootDir>/packages/core/src/$1',
    '^@reminders/api/(.*)$': '<rootDir>/apps/api/src/$1',
    '^@reminders/worker/(.*)$': '<rootDir>/apps/worker/src/$1',
    '^@reminders/cli/(.*)$': '<rootDir>/apps/cli/src/$1',
  },
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 60000,
  // A test that fails in the middle can leave a child (a Redis node, a service) that its afterAll
  // could not stop; CI must still end. Each file closes what it opens; this only bounds the damage.
  forceExit: true,
};
