// Reliability drills (quality.md): each drill owns its servers and processes and counts every
// message it caused and received. The drills arrive with the capabilities they exercise.
const { esmPackages, transform } = require('../support/jest-transform');

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/reliability/**/*.spec.ts'],
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 300_000,
  maxWorkers: 1,
  passWithNoTests: true,
};
