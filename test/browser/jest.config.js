// Browser tests: playwright-core driving Debian's Chromium (/usr/bin/chromium or CHROMIUM_PATH)
// against a real app on real PostgreSQL and Redis. Never downloads a browser.
const { esmPackages, transform } = require('../support/jest-transform');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
