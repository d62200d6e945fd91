// The calls of a fleet are handed the very same framed buffer for a shared
// response: no per-stream copy between the protocol and the transport.
import { pino } from 'pino';
import { TypeUrl } from '@switchyard/protos';
import { serveAdsCall, type AdsCallEnv } from './ads-call.js';
import type { DecodedDeltaRequest } from './ads-service.js';
import { DeltaStream } from './delta-stream.js';
import type { GrpcCall } from './grpc-call.js';
import { SnapshotCache } from './snapshot-cache.js';
import { XdsStats } from './stats.js';
import { encodeControlPlane } from './wire.js';
import { WritePacer } from './write-pacer.js';
import { fixture } from '../test/fixtures.js';

const FLEET = 'ns/gw';

test('two streams of a fleet are written the same Buffer object, framed as one gRPC message', () => {
  const cache = new SnapshotCache();
  cache.setFleet(FLEET, fixture({ clusters: ['a', 'b'] }));
  const env: AdsCallEnv = {
    cache,
    insecure: true,
    stats: new XdsStats(),
    logger: pino({ level: 'silent' }),
    controlPlane: encodeControlPlane('test'),
    pacer: new WritePacer({ budgetBytes: 1 << 30, slowMs: 1000 }),
    open: new Map(),
  };
  const written: Buffer[][] = [[], []];
  const calls = written.map((out): GrpcCall => ({
    peer: 'test',
    peerCertificate: undefined,
    write(frame, done) {
      out.push(frame);
      done();
      return true;
    },
    end() {},
  }));
  for (const [i, call] of calls.entries()) {
    const h = serveAdsCall(
      env,
      'delta',
      call,
      (b) => JSON.parse(b.toString()) as DecodedDeltaRequest,
      (ctx) => new DeltaStream(ctx),
    );
    const req: DecodedDeltaRequest = {
      node: { id: `envoy-${i}`, cluster: FLEET },
      typeUrl: TypeUrl.Cluster,
      subscribe: [],
      unsubscribe: [],
      initialResourceVersions: {},
      responseNonce: '',
      errorDetail: undefined,
    };
    h.message(Buffer.from(JSON.stringify(req)));
  }
  expect(written.map((w) => w.length)).toEqual([1, 1]);
  const [a, b] = [written[0]![0]!, written[1]![0]!];
  expect(a).toBe(b);
  expect(a[0]).toBe(0);
  expect(a.readUInt32BE(1)).toBe(a.length - 5);
  expect(env.stats.snapshot().bytesSent).toBe(2 * (a.length - 5));
});
