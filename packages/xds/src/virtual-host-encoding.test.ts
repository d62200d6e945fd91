// A RouteConfiguration encoded per virtual host, with unchanged virtual
// hosts reused by identity, must be exactly what encoding the whole gives,
// and name exactly the references walking the whole finds, after every step
// of random sequences of changes to some of its virtual hosts.
import fc from 'fast-check';
import { encodeMessage, TypeUrl, type EnvoyResources, type RouteConfiguration } from '@switchyard/protos';
import { encodeSnapshot, hashHex, referencesOf, type EncodedSnapshot } from './encoded-snapshot.js';
import { encodeAny, encodeDeltaResource } from './wire.js';
import { encodeRouteConfiguration } from './virtual-host-encoding.js';

type VirtualHost = NonNullable<RouteConfiguration['virtual_hosts']>[number];

const cluster = fc.constantFrom('a', 'b', 'c', 'mirror');
const route = fc.record({
  prefix: fc.constantFrom('/', '/x', '/y'),
  weighted: fc.array(cluster, { maxLength: 3 }),
  cluster,
  // Long values make a virtual host longer than 127 and 16,383 bytes (two- and three-byte length prefixes).
  padding: fc.constantFrom('', 'p'.repeat(200), 'q'.repeat(17_000)),
});
const virtualHost = (name: string): fc.Arbitrary<VirtualHost> =>
  fc.array(route, { maxLength: 3 }).map((routes) => ({
    name,
    domains: [`${name}.example.com`],
    routes: routes.map((r, i) => ({
      name: `${name}-${i}${r.padding}`,
      match: { prefix: r.prefix },
      route: r.weighted.length > 0 ? { weighted_clusters: { clusters: r.weighted.map((c) => ({ name: c, weight: { value: 1 } })) } } : { cluster: r.cluster },
    })),
  }));
const NAMES = ['h0', 'h1', 'h2', 'h3'];
/** A step: which virtual hosts are present, in order, each new (a changed object) or kept (the previous object). */
const step = fc.record({
  present: fc.subarray(NAMES, { minLength: 0 }),
  changed: fc.tuple(...NAMES.map(virtualHost)),
  replace: fc.array(fc.boolean(), { minLength: NAMES.length, maxLength: NAMES.length }),
  mirror: fc.boolean(),
});

function resources(rc: RouteConfiguration): EnvoyResources {
  return { listeners: [], routes: [rc], clusters: [], endpoints: [], secrets: [] };
}

test('per virtual host encoding equals encoding the whole, through random change sequences', () => {
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (steps) => {
      const current = new Map<string, VirtualHost>();
      let snapshot: EncodedSnapshot | undefined;
      for (const s of steps) {
        NAMES.forEach((n, i) => {
          if (s.replace[i] || !current.has(n)) current.set(n, s.changed[i]!);
        });
        const rc: RouteConfiguration = {
          name: 'rc',
          virtual_hosts: s.present.map((n) => current.get(n)!),
          validate_clusters: { value: false },
          ...(s.mirror ? { request_mirror_policies: [{ cluster: 'mirror-rc' }] } : {}),
          ignore_port_in_host_matching: true,
        };
        const whole = encodeMessage(TypeUrl.RouteConfiguration, rc);
        const parts = encodeRouteConfiguration(rc, (part) => referencesOf(TypeUrl.RouteConfiguration, 'rc', part));
        expect(Buffer.concat(parts.chunks).equals(Buffer.from(whole))).toBe(true);
        snapshot = encodeSnapshot('ns/gw', resources(rc), snapshot);
        const enc = snapshot.types.get(TypeUrl.RouteConfiguration)!.resources.get('rc')!;
        // The envelopes and version are those of the whole's bytes.
        expect([enc.version, Buffer.from(enc.any).equals(encodeAny(TypeUrl.RouteConfiguration, whole))]).toEqual([hashHex(whole), true]);
        expect(Buffer.from(enc.delta).equals(encodeDeltaResource('rc', enc.version, encodeAny(TypeUrl.RouteConfiguration, whole)))).toBe(true);
        expect(enc.version).toBe(
          encodeSnapshot('ns/fresh', resources(structuredClone(rc)))
            .types.get(TypeUrl.RouteConfiguration)!
            .resources.get('rc')!.version,
        );
        expect(enc.refs).toEqual(referencesOf(TypeUrl.RouteConfiguration, 'rc', rc));
      }
    }),
    { numRuns: 100 },
  );
});

test('an unchanged RouteConfiguration handed in as a new object with the same virtual hosts keeps its encoded resource', () => {
  const vh: VirtualHost = { name: 'h', domains: ['h.example.com'], routes: [{ match: { prefix: '/' }, route: { cluster: 'a' } }] };
  const first = encodeSnapshot('ns/gw', resources({ name: 'rc', virtual_hosts: [vh] }));
  const second = encodeSnapshot('ns/gw', resources({ name: 'rc', virtual_hosts: [vh] }), first);
  expect(second.types.get(TypeUrl.RouteConfiguration)).toBe(first.types.get(TypeUrl.RouteConfiguration));
});
