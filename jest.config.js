// Tests live beside the code they test (src/**/*.test.ts) and run as ES
// modules through ts-jest, transpile-only (isolatedModules is set in
// tsconfig.base.json); `npm test` type-checks the whole workspace once with
// `tsc -b` before jest runs.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/protos', '<rootDir>/e2e/envoy-standin'],
  testMatch: ['**/src/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // Workspace packages resolve to their sources, so a test never runs
    // against a stale build of a neighbour package.
    '^@switchyard/protos$': '<rootDir>/protos/src/index.ts',
    '^@switchyard/(api|translator|xds|controller|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^@switchyard/xds/testing$': '<rootDir>/packages/xds/src/ads-test-client.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }],
  },
  testTimeout: 30000,
};
