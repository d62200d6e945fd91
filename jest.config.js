// Tests live beside the code they test (src/**/*.test.ts; tests of test
// helpers beside those, in a package's test/ folder) and run as ES
// modules through ts-jest, transpile-only (isolatedModules is set in
// tsconfig.base.json); `npm test` type-checks the whole workspace once with
// `tsc -b` before jest runs.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/protos'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // Workspace packages resolve to their sources, so a test never runs
    // against a stale build of a neighbour package.
    '^@switchyard/protos$': '<rootDir>/protos/src/index.ts',
    '^@switchyard/(api|translator|explain|xds|controller|cli)$': '<rootDir>/packages/$1/src/index.ts',
    // Test helpers live in each package's test/ folder, outside what it ships.
    '^@switchyard/(api|translator|explain|xds|controller|cli)/test/(.*)\\.js$': '<rootDir>/packages/$1/test/$2.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }],
  },
  testTimeout: 30000,
};
