/**
 * ESM all the way: @actions/* are ESM-only, so ts-jest compiles to ESM and jest runs with vm modules.
 * Three projects, by what a test needs: `unit` (no engine, no network beyond servers the test starts, seconds),
 * `stack` (a real dockerd, buildx and registry: scripts/e2e-stack.sh up) and `slow` (multi-GB files, RSS limits).
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] }
}

export default {
  // A global option: inside a project's config jest ignores it.
  testTimeout: 30000,
  // Random fixtures draw from one seed per run, printed when a test fails (TEST_SEED=<n> replays it).
  globalSetup: '<rootDir>/__tests__/support/seed-setup.js',
  reporters: ['default', '<rootDir>/__tests__/support/seed-reporter.js'],
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  // The orchestration and the build path are covered in-process by the unit project (npm run test:coverage).
  coverageThreshold: {
    './src/main.ts': { lines: 85 },
    './src/phases/': { lines: 85 },
    './src/buildx/': { lines: 85 }
  },
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'], testPathIgnorePatterns: ['/__tests__/(stack|slow)/'] },
    { ...shared, displayName: 'stack', testMatch: ['<rootDir>/__tests__/stack/**/*.test.ts'] },
    { ...shared, displayName: 'slow', testMatch: ['<rootDir>/__tests__/slow/**/*.test.ts'] }
  ]
}
