// Model-based protocol test: an Envoy-like client follows a random sequence
// of snapshots in both ADS variants. After every snapshot it must converge to
// exactly that snapshot, and at no moment may its route configuration use a
// cluster it does not have (make before break).
import { TypeUrl, type ResourceTypeUrl } from '@switchyard/protos';
import { decodeAny, type AnyValue, type DeltaClientStream, type SotwClientStream, type TestAdsClient } from '../test/ads-test-client.js';
import { encodeSnapshot, hashHex } from './encoded-snapshot.js';
import { fixture, type FixtureOptions } from '../test/fixtures.js';
import { serverPerTest } from '../test/test-server.js';

const FLEET = 'default/gw';
const POOL = ['a', 'b', 'c', 'd', 'e', 'f'];

/** Small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFixture(rand: () => number, step: number): FixtureOptions {
  const clusters = POOL.filter(() => rand() < 0.6);
  if (clusters.length === 0) clusters.push('a');
  return {
    clusters,
    routeTo: clusters.filter(() => rand() < 0.7),
    endpointIp: `10.0.0.${Math.floor(rand() * 3) + 1}`,
    secret: rand() < 0.5 ? (rand() < 0.5 ? 'cert-1' : 'cert-2') : undefined,
    routeTag: rand() < 0.3 ? `-${step}` : '',
  };
}

/** Client state: type -> name -> version (content hash of the resource bytes). */
type Held = Map<ResourceTypeUrl, Map<string, { version: string; value: Record<string, unknown> }>>;

const ALL: ResourceTypeUrl[] = [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment, TypeUrl.Secret, TypeUrl.Listener, TypeUrl.RouteConfiguration];

function emptyHeld(): Held {
  return new Map(ALL.map((t) => [t, new Map<string, { version: string; value: Record<string, unknown> }>()]));
}

function nameOf(v: Record<string, unknown>): string {
  return (v.name ?? v.cluster_name ?? '') as string;
}

const byName = (x: [string, string], y: [string, string]): number => x[0].localeCompare(y[0]);

function expected(o: FixtureOptions): Record<string, Record<string, string>> {
  const snap = encodeSnapshot(FLEET, fixture(o));
  const out: Record<string, Record<string, string>> = {};
  for (const t of ALL) out[t] = Object.fromEntries([...snap.types.get(t)!.resources.values()].map((r): [string, string] => [r.name, r.version]).sort(byName));
  return out;
}

function view(held: Held): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const t of ALL) out[t] = Object.fromEntries([...held.get(t)!].map(([n, v]): [string, string] => [n, v.version]).sort(byName));
  return out;
}

/** What Envoy would subscribe to, given what it holds. */
function wanted(held: Held): { eds: Set<string>; rds: Set<string>; sds: Set<string> } {
  const eds = new Set([...held.get(TypeUrl.Cluster)!.keys()]);
  const rds = new Set<string>();
  const sds = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.rds && typeof (o.rds as { route_config_name?: string }).route_config_name === 'string')
        rds.add((o.rds as { route_config_name: string }).route_config_name);
      if (Array.isArray(o.tls_certificate_sds_secret_configs)) for (const s of o.tls_certificate_sds_secret_configs as { name: string }[]) sds.add(s.name);
      Object.values(o).forEach(walk);
    }
  };
  for (const l of held.get(TypeUrl.Listener)!.values()) walk(l.value);
  return { eds, rds, sds };
}

/** The names a delta client has subscribed to, per named type (EDS, RDS, SDS). */
type DeltaSubscriptions = Record<string, Set<string>>;

/**
 * Like Envoy over delta: after each response, (un)subscribes the named types
 * to what its held clusters and listeners use, and drops what it leaves.
 */
function followDelta(s: DeltaClientStream, held: Held, subs: DeltaSubscriptions): void {
  const w = wanted(held);
  for (const [t, want] of [
    [TypeUrl.ClusterLoadAssignment, w.eds],
    [TypeUrl.RouteConfiguration, w.rds],
    [TypeUrl.Secret, w.sds],
  ] as const) {
    const have = subs[t] ?? new Set<string>();
    const subscribe = [...want].filter((n) => !have.has(n));
    const unsubscribe = [...have].filter((n) => !want.has(n));
    if (subscribe.length + unsubscribe.length === 0) continue;
    for (const n of unsubscribe) held.get(t)!.delete(n);
    subs[t] = new Set(want);
    s.request(t, { subscribe, unsubscribe });
  }
}

/** Make before break: every cluster the held routes use is held, with its endpoints. */
function checkRoutesResolve(held: Held): void {
  const clusters = held.get(TypeUrl.Cluster)!;
  const endpoints = held.get(TypeUrl.ClusterLoadAssignment)!;
  const missing: string[] = [];
  for (const rc of held.get(TypeUrl.RouteConfiguration)!.values()) {
    const vhosts = (rc.value.virtual_hosts ?? []) as { routes?: { route?: { cluster?: string } }[] }[];
    for (const vh of vhosts)
      for (const r of vh.routes ?? []) {
        const c = r.route?.cluster;
        if (c && !clusters.has(c)) missing.push(`cluster ${c}`);
        if (c && !endpoints.has(c)) missing.push(`endpoints of ${c}`);
      }
  }
  expect(missing).toEqual([]);
}

function decodeHeld(any: AnyValue): { name: string; version: string; value: Record<string, unknown> } {
  const value = decodeAny(any);
  return { name: nameOf(value), version: hashHex(any.value), value };
}

const xds = serverPerTest();
let client: TestAdsClient;

beforeEach(() => {
  client = xds.client({ node: { id: 'model', cluster: FLEET } });
});

// XDS_MODEL_SEEDS=N runs N seeds (deeper search); 5 by default.
const SEEDS = Array.from({ length: Number(process.env.XDS_MODEL_SEEDS ?? 5) }, (_, i) => i + 1);
const STEPS = 30;

test.each(SEEDS)(
  'delta: converges to every snapshot, routes never use a missing cluster (seed %i)',
  async (seed) => {
    const rand = prng(seed);
    const held = emptyHeld();
    const seenNonces = new Set<string>();
    const subs: DeltaSubscriptions = {};
    let opts = randomFixture(rand, 0);
    xds.cache.setFleet(FLEET, fixture(opts));
    const s: DeltaClientStream = client.delta();
    s.request(TypeUrl.Cluster);
    s.request(TypeUrl.Listener);

    const follow = (): void => followDelta(s, held, subs);

    for (let step = 1; step <= STEPS; step++) {
      const want = expected(opts);
      while (JSON.stringify(view(held)) !== JSON.stringify(want)) {
        const r = await s.next();
        const t = r.type_url as ResourceTypeUrl;
        expect(seenNonces.has(r.nonce)).toBe(false); // a nonce names one response on a stream
        seenNonces.add(r.nonce);
        for (const res of r.resources) {
          const h = decodeHeld(res.resource);
          expect(h.version).toBe(res.version);
          held.get(t)!.set(res.name, h);
        }
        for (const n of r.removed_resources) held.get(t)!.delete(n);
        checkRoutesResolve(held);
        follow(); // like Envoy: new subscriptions go out before the ACK
        s.ack(r);
      }
      opts = randomFixture(rand, step);
      xds.cache.setFleet(FLEET, fixture(opts));
    }
  },
  120_000,
);

/**
 * What a client that rejected some versions should end up holding: the
 * snapshot, except resources whose snapshot version it rejected (it keeps
 * its own), plus clusters, endpoints and secrets its held listeners and
 * routes still use (the server keeps those: make before break).
 */
function expectedWithRejections(o: FixtureOptions, held: Held, rejected: Map<string, string>): Record<string, Record<string, string>> {
  const want = expected(o);
  for (const t of ALL) {
    for (const [name, version] of Object.entries(want[t]!)) {
      if (rejected.get(`${t} ${name}`) !== version) continue;
      const mine = held.get(t)!.get(name);
      if (mine) want[t]![name] = mine.version;
      else delete want[t]![name];
    }
  }
  // Named types: only what the client subscribes to, given what it holds.
  const w = wanted(held);
  for (const [t, names] of [
    [TypeUrl.ClusterLoadAssignment, w.eds],
    [TypeUrl.RouteConfiguration, w.rds],
    [TypeUrl.Secret, w.sds],
  ] as const) {
    for (const name of Object.keys(want[t]!)) if (!names.has(name)) delete want[t]![name];
  }
  const usedClusters = new Set<string>();
  for (const rc of held.get(TypeUrl.RouteConfiguration)!.values())
    for (const vh of (rc.value.virtual_hosts ?? []) as { routes?: { route?: { cluster?: string } }[] }[])
      for (const r of vh.routes ?? []) if (r.route?.cluster) usedClusters.add(r.route.cluster);
  for (const c of usedClusters) {
    for (const t of [TypeUrl.Cluster, TypeUrl.ClusterLoadAssignment]) {
      const mine = held.get(t)!.get(c);
      if (mine && want[t]![c] === undefined) want[t]![c] = mine.version;
    }
  }
  for (const sName of wanted(held).sds) {
    const mine = held.get(TypeUrl.Secret)!.get(sName);
    if (mine && want[TypeUrl.Secret]![sName] === undefined) want[TypeUrl.Secret]![sName] = mine.version;
  }
  for (const t of ALL) want[t] = Object.fromEntries(Object.entries(want[t]!).sort((a, b) => a[0].localeCompare(b[0])));
  return want;
}

test.each(SEEDS)(
  'delta with NACKs of listeners and routes: a rejected version is never re-sent, the rest converges (seed %i)',
  async (seed) => {
    const rand = prng(seed);
    const nackRand = prng(seed + 1000);
    const held = emptyHeld();
    const seenNonces = new Set<string>();
    const rejected = new Map<string, string>();
    const subs: DeltaSubscriptions = {};
    let opts = randomFixture(rand, 0);
    xds.cache.setFleet(FLEET, fixture(opts));
    const s: DeltaClientStream = client.delta();
    s.request(TypeUrl.Cluster);
    s.request(TypeUrl.Listener);
    let nacks = 0;

    const follow = (): void => followDelta(s, held, subs);

    for (let step = 1; step <= STEPS; step++) {
      while (JSON.stringify(view(held)) !== JSON.stringify(expectedWithRejections(opts, held, rejected))) {
        const r = await s.next();
        const t = r.type_url as ResourceTypeUrl;
        expect(seenNonces.has(r.nonce)).toBe(false); // a nonce names one response on a stream
        seenNonces.add(r.nonce);
        for (const res of r.resources) expect(rejected.get(`${t} ${res.name}`)).not.toBe(res.version);
        const removals = (): void => {
          for (const n of r.removed_resources) held.get(t)!.delete(n);
        };
        if ((t === TypeUrl.Listener || t === TypeUrl.RouteConfiguration) && r.resources.length > 0 && nackRand() < 0.3) {
          // Rejected as a whole: nothing added or updated (removals are taken as applied).
          for (const res of r.resources) rejected.set(`${t} ${res.name}`, res.version);
          removals();
          follow();
          nacks++;
          s.nack(r, 'rejected by the model client');
          continue;
        }
        for (const res of r.resources) {
          // Like Envoy, a resource of a named type it no longer subscribes to is dropped.
          if (subs[t] && !subs[t].has(res.name)) continue;
          held.get(t)!.set(res.name, decodeHeld(res.resource));
          rejected.delete(`${t} ${res.name}`);
        }
        removals();
        checkRoutesResolve(held);
        follow();
        s.ack(r);
      }
      opts = randomFixture(rand, step);
      xds.cache.setFleet(FLEET, fixture(opts));
    }
    expect(nacks).toBeGreaterThan(0);
    // A marker: the answer to this request comes after the server has processed
    // every earlier request, the NACKs included.
    s.request(TypeUrl.Secret, { subscribe: ['marker'] });
    for (;;) {
      const r = await s.next();
      s.ack(r);
      if (r.removed_resources.includes('marker')) break;
    }
    expect(xds.server.stats().nacks[FLEET]).toBe(nacks);
  },
  120_000,
);

test.each(SEEDS)(
  'state of the world: converges to every snapshot, routes never use a missing cluster (seed %i)',
  async (seed) => {
    const rand = prng(seed);
    const held = emptyHeld();
    const seenNonces = new Set<string>();
    const subs: Record<string, string[]> = { [TypeUrl.ClusterLoadAssignment]: [], [TypeUrl.RouteConfiguration]: [], [TypeUrl.Secret]: [] };
    const versions: Record<string, string> = {};
    const nonces: Record<string, string> = {};
    let opts = randomFixture(rand, 0);
    xds.cache.setFleet(FLEET, fixture(opts));
    const s: SotwClientStream = client.sotw();
    s.request(TypeUrl.Cluster);
    s.request(TypeUrl.Listener);

    const follow = (): void => {
      const w = wanted(held);
      for (const [t, want] of [
        [TypeUrl.ClusterLoadAssignment, w.eds],
        [TypeUrl.RouteConfiguration, w.rds],
        [TypeUrl.Secret, w.sds],
      ] as const) {
        const names = [...want].sort();
        if (JSON.stringify(names) === JSON.stringify(subs[t])) continue;
        for (const n of [...held.get(t)!.keys()]) if (!want.has(n)) held.get(t)!.delete(n);
        subs[t] = names;
        // Like Envoy, an empty list for a named type means "none" only after the first request.
        if (names.length === 0 && nonces[t] === undefined) continue;
        s.request(t, names, { version: versions[t] ?? '', nonce: nonces[t] ?? '' });
      }
    };

    for (let step = 1; step <= STEPS; step++) {
      const want = expected(opts);
      while (JSON.stringify(view(held)) !== JSON.stringify(want)) {
        const r = await s.next();
        const t = r.type_url as ResourceTypeUrl;
        expect(seenNonces.has(r.nonce)).toBe(false); // a nonce names one response on a stream
        seenNonces.add(r.nonce);
        const next = new Map<string, { version: string; value: Record<string, unknown> }>();
        for (const res of r.resources) {
          const h = decodeHeld(res);
          next.set(h.name, h);
        }
        held.set(t, next);
        versions[t] = r.version_info;
        nonces[t] = r.nonce;
        checkRoutesResolve(held);
        follow();
        s.ack(r, subs[t] ?? []);
      }
      opts = randomFixture(rand, step);
      xds.cache.setFleet(FLEET, fixture(opts));
    }
  },
  120_000,
);
