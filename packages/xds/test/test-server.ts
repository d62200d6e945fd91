// The set-up the xDS protocol tests share: every test gets a fresh
// SnapshotCache and an xDS server for it on a loopback port, and whatever raw
// clients it opens are closed after it, then the server. Call once at the top
// of a test file; it registers the jest hooks.
import { SnapshotCache } from '../src/snapshot-cache.js';
import { createXdsServer, type XdsServer, type XdsTls } from '../src/server.js';
import { TestAdsClient, type ClientOptions } from './ads-test-client.js';

export interface TestServer {
  readonly cache: SnapshotCache;
  readonly server: XdsServer;
  readonly port: number;
  /** A raw ADS client of this test's server, closed after the test. */
  client(options: Omit<ClientOptions, 'port'>): TestAdsClient;
}

/** `tls` is read in each beforeEach, so it may use certificates a beforeAll creates. Default: plaintext. */
export function serverPerTest(tls: () => XdsTls = () => ({ insecure: true })): TestServer {
  let current: { cache: SnapshotCache; server: XdsServer; port: number } | undefined;
  const clients: TestAdsClient[] = [];
  const now = () => {
    if (!current) throw new Error('the test server exists only while a test runs');
    return current;
  };

  beforeEach(async () => {
    const cache = new SnapshotCache();
    const server = createXdsServer({ cache, tls: tls() });
    current = { cache, server, port: await server.listen('127.0.0.1', 0) };
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await current?.server.close();
    current = undefined;
  });

  return {
    get cache() {
      return now().cache;
    },
    get server() {
      return now().server;
    },
    get port() {
      return now().port;
    },
    client(options) {
      const c = new TestAdsClient({ ...options, port: now().port });
      clients.push(c);
      return c;
    },
  };
}
