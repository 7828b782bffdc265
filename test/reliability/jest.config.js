// Reliability drills (docs/reliability.md): each drill owns its servers and processes, counts every message
// it caused and received, and adds its row to the table the drill reporter prints at the end.
const { esmPackages, transform } = require('../support/jest-transform');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/reliability/**/*.spec.ts'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/reliability/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 300_000,
  maxWorkers: 1,
  reporters: ['default', '<rootDir>/test/reliability/support/drill-reporter.js'],
};
