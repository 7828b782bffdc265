// Unit specs beside the code; integration, e2e and security tests under test/, against real
// PostgreSQL and Redis prepared once per run by test/support/global-setup.ts.
const { esmPackages, transform } = require('./test/support/jest-transform');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/{integration,e2e,security}/**/*.spec.ts'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
  collectCoverageFrom: ['src/**/*.ts', '!src/**/*.spec.ts', '!src/database/migrations/**'],
  coverageReporters: ['text-summary', 'lcov'],
};
