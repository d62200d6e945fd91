// The upstream conformance tests of TLSRoute (GATEWAY-TLS profile), TCPRoute,
// UDPRoute, BackendTLSPolicy, ListenerSet and the TLS features of Gateway
// (HTTPS listeners, client certificates), run against translate() instead
// of a cluster: each test's manifests (from the Go module e2e/go.mod pins,
// never copied here) plus base/manifests.yaml and the certificates the suite
// creates in code (generated here at test time) are translated; the test
// asserts the statuses the Go test waits for and what the fleet's Envoy does
// with the connections it opens (explainTlsConnection: which filter chain an
// SNI selects, TLS terminated or passed through, which backends with which
// weights, which certificate is served, whether a client certificate is
// required).
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS, type EnvoyResources } from '@switchyard/protos';
import { translate, type TranslateResult } from '../../src/translate.js';
import { explainTlsConnection, type TlsConnectionExplanation, type TlsConnectionQuery } from '@switchyard/explain';
import { explain } from '@switchyard/explain';
import { appliedObjects, programmaticObjects } from './manifests.js';

const INFRA = 'gateway-conformance-infra';
const WEB = 'gateway-conformance-web-backend';
const APP = 'gateway-conformance-app-backend';
const G = 'gateway.networking.k8s.io';

// The manifests and the suite's programmatic certificates come from the
// shared conformance loader (manifests.ts): read from the pinned Go module,
// certificates generated at test time.
let certificates: KubeObject[] = [];
beforeAll(async () => {
  certificates = await programmaticObjects();
}, 120_000);

// ---- one conformance test's world ------------------------------------------

class World {
  readonly objects: KubeObject[];
  private result: TranslateResult | undefined;

  constructor(testManifests: readonly string[]) {
    // Creation order = apply order, one second apart: the spec breaks ties by age.
    this.objects = appliedObjects(testManifests, certificates);
  }

  /** Applies an object the Go test creates or changes while it runs (a newer route, a deleted grant). */
  apply(o: KubeObject): this {
    const i = this.objects.findIndex((x) => x.kind === o.kind && x.metadata.namespace === o.metadata.namespace && x.metadata.name === o.metadata.name);
    const created = new Date(Date.UTC(2026, 0, 2) + this.objects.length * 1000).toISOString();
    const next = {
      ...o,
      metadata: {
        ...o.metadata,
        generation: i >= 0 ? (this.objects[i]!.metadata.generation ?? 1) + 1 : 1,
        creationTimestamp: i >= 0 ? this.objects[i]!.metadata.creationTimestamp! : created,
      },
    };
    if (i >= 0) this.objects[i] = next;
    else this.objects.push(next);
    this.result = undefined;
    return this;
  }

  remove(kind: string, nn: string): this {
    const [ns, name] = nn.split('/');
    const i = this.objects.findIndex((x) => x.kind === kind && x.metadata.namespace === ns && x.metadata.name === name);
    if (i < 0) throw new Error(`no ${kind} ${nn}`);
    this.objects.splice(i, 1);
    this.result = undefined;
    return this;
  }

  get r(): TranslateResult {
    return (this.result ??= translate(snapshotOf(this.objects), { now: '2026-01-01T00:00:00Z' }));
  }

  status(kind: string, nn: string): Record<string, unknown> {
    const [ns, name] = nn.split('/');
    const s = this.r.statuses.find((x) => x.kind === kind && x.namespace === ns && x.name === name);
    if (!s) throw new Error(`no status for ${kind} ${nn}`);
    return s.status as Record<string, unknown>;
  }

  /** The fleet of a Gateway; every resource must encode as its Envoy type. */
  fleet(gw: string): EnvoyResources {
    const f = this.r.fleets.get(gw);
    if (!f) throw new Error(`no fleet for ${gw}`);
    for (const [field, typeUrl] of RESOURCE_FIELDS) for (const x of f[field]) encodeMessage(typeUrl, x);
    return f;
  }

  connect(gw: string, q: TlsConnectionQuery): TlsConnectionExplanation {
    return explainTlsConnection(this.fleet(gw), q);
  }
}

type Cond = { type: string; status: string; reason: string; observedGeneration?: number };
const has = (conds: readonly Cond[] | undefined, type: string, status: string, reason?: string) =>
  expect(conds ?? []).toContainEqual(expect.objectContaining({ type, status, ...(reason ? { reason } : {}) }));

function gatewayConds(w: World, gw: string): Cond[] {
  return (w.status('Gateway', gw).conditions as Cond[]) ?? [];
}
function listeners(w: World, gw: string): Array<{ name: string; attachedRoutes: number; supportedKinds: Array<{ kind: string }>; conditions: Cond[] }> {
  return w.status('Gateway', gw).listeners as never;
}
function listener(w: World, gw: string, name: string) {
  const l = listeners(w, gw).find((x) => x.name === name);
  if (!l) throw new Error(`no listener ${name} on ${gw}`);
  return l;
}
function parents(
  w: World,
  kind: string,
  route: string,
): Array<{ parentRef: { name: string; namespace?: string; sectionName?: string; port?: number }; conditions: Cond[] }> {
  return (w.status(kind, route).parents as never) ?? [];
}
function routeConds(w: World, kind: string, route: string, gw: string): Cond[] {
  const [gns, gname] = gw.split('/');
  const rns = route.split('/')[0];
  const p = parents(w, kind, route).find((x) => x.parentRef.name === gname && (x.parentRef.namespace ?? rns) === gns);
  if (!p) throw new Error(`${kind} ${route} has no parent ${gw}`);
  return p.conditions;
}
function policyConds(w: World, policy: string, gw: string): Cond[] {
  const [gns, gname] = gw.split('/');
  const a = (w.status('BackendTLSPolicy', policy).ancestors as Array<{ ancestorRef: { name: string; namespace?: string }; conditions: Cond[] }>).find(
    (x) => x.ancestorRef.name === gname && x.ancestorRef.namespace === gns,
  );
  if (!a) throw new Error(`BackendTLSPolicy ${policy} has no ancestor ${gw}`);
  return a.conditions;
}

/** GatewayAnd{TLS,TCP,UDP}RoutesMustBeAccepted: the Gateway and all its listeners ready, each route Accepted by it. */
function mustBeAccepted(w: World, gw: string, kind: string, routes: readonly string[]): void {
  has(gatewayConds(w, gw), 'Accepted', 'True');
  has(gatewayConds(w, gw), 'Programmed', 'True');
  for (const l of listeners(w, gw)) for (const t of ['Accepted', 'Programmed', 'ResolvedRefs']) has(l.conditions, t, 'True');
  for (const r of routes) has(routeConds(w, kind, r, gw), 'Accepted', 'True', 'Accepted');
}

/** {TLS,TCP,UDP}RouteMustHaveNoAcceptedParents. */
function noAcceptedParents(w: World, kind: string, route: string): void {
  const ps = parents(w, kind, route);
  expect(ps.filter((p) => p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True'))).toEqual([]);
}

/** GatewayMustHaveZeroRoutes. */
function zeroRoutes(w: World, gw: string): void {
  expect(
    listeners(w, gw)
      .map((l) => l.attachedRoutes)
      .filter((n) => n !== 0),
  ).toEqual([]);
}

/** Where a connection ends up: backend Service names with their shares (0 shares dropped), or 'rejected'. */
function destination(c: TlsConnectionExplanation): Record<string, number> | 'rejected' {
  if (c.outcome !== 'accepted') return 'rejected';
  if (c.action.kind !== 'tcp_proxy' && c.action.kind !== 'udp_proxy') throw new Error(`not a proxied connection: ${c.action.kind}`);
  const out: Record<string, number> = {};
  for (const b of c.action.backends) {
    if (b.share === 0) continue;
    const name = b.rejected ? 'rejected' : (b.backend?.name ?? b.cluster);
    out[name] = Math.round(((out[name] ?? 0) + b.share) * 1000) / 1000;
  }
  return Object.keys(out).length === 1 && out.rejected !== undefined ? 'rejected' : out;
}

const route = (kind: string, nn: string, spec: object): KubeObject => {
  const [namespace, name] = nn.split('/');
  return { apiVersion: `${G}/v1`, kind, metadata: { namespace: namespace!, name: name! }, spec };
};

// ---- TLSRoute (GATEWAY-TLS) ------------------------------------------------

describe('TLSRoute conformance', () => {
  it('TLSRouteSimpleSameNamespace: passthrough by SNI to tcp-backend, TLS untouched', () => {
    const w = new World(['tests/tlsroute-simple-same-namespace.yaml']);
    const gw = `${INFRA}/gateway-tlsroute`;
    mustBeAccepted(w, gw, 'TLSRoute', [`${INFRA}/gateway-conformance-infra-test`]);
    has(routeConds(w, 'TLSRoute', `${INFRA}/gateway-conformance-infra-test`, gw), 'ResolvedRefs', 'True', 'ResolvedRefs');
    const c = w.connect(gw, { port: 443, transport: 'tls', sni: 'abc.example.com' });
    expect(c).toMatchObject({ outcome: 'accepted', inspectsTls: true, tls: { mode: 'passthrough' } });
    expect(destination(c)).toEqual({ 'tcp-backend': 1 });
    expect(w.connect(gw, { port: 443, transport: 'tls', sni: 'other.example.org' })).toMatchObject({ outcome: 'no-filter-chain' });
  });

  it('TLSRouteTerminateSimpleSameNamespace: Envoy terminates with the listener certificate and sends plain bytes', () => {
    const w = new World(['tests/tlsroute-terminate-simple-same-namespace.yaml']);
    const gw = `${INFRA}/gateway-tlsroute-terminate`;
    mustBeAccepted(w, gw, 'TLSRoute', [`${INFRA}/tlsroute-terminated-test`]);
    const c = w.connect(gw, { port: 8443, transport: 'tls', sni: 'tls.example.com' });
    expect(c).toMatchObject({
      outcome: 'accepted',
      tls: { mode: 'terminate', served: [`tls/${INFRA}/tls-terminate-checks-certificate`], clientCertificate: 'none' },
    });
    expect(destination(c)).toEqual({ 'tcp-backend': 1 });
    // The backend gets no TLS from Envoy (no BackendTLSPolicy): plain text after termination.
    if (c.outcome === 'accepted' && c.action.kind === 'tcp_proxy') expect(c.action.backends[0]?.upstreamTls).toBeUndefined();
  });

  it('TLSRouteMixedTerminationSameNamespace: Terminate and Passthrough listeners share port 8883 by SNI', () => {
    const w = new World(['tests/tlsroute-mixed-termination-same-namespace.yaml']);
    const gw = `${INFRA}/gateway-tlsroute-mixed-termination`;
    mustBeAccepted(w, gw, 'TLSRoute', [`${INFRA}/gateway-conformance-mixed-passthroughroute`, `${INFRA}/gateway-conformance-mixed-terminateroute`]);
    expect(listeners(w, gw).map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['tls-terminate', 1],
      ['tls-passthrough', 1],
    ]);
    const term = w.connect(gw, { port: 8883, transport: 'tls', sni: 'tls.example.com' });
    expect(term).toMatchObject({
      tls: { mode: 'terminate', served: [`tls/${INFRA}/tls-terminate-checks-certificate`] },
      action: { kind: 'tcp_proxy', backends: [{ backend: { name: 'tcp-backend', port: 3000 } }] },
    });
    const pass = w.connect(gw, { port: 8883, transport: 'tls', sni: 'abc.example.com' });
    expect(pass).toMatchObject({ tls: { mode: 'passthrough' }, action: { kind: 'tcp_proxy', backends: [{ backend: { name: 'tcp-backend', port: 8443 } }] } });
  });

  it('TLSRouteListenerMixedTerminationNotSupported: not applicable, Switchyard supports Mixed mode (both listeners Accepted)', () => {
    const w = new World(['tests/tlsroute-listener-mixed-termination-not-supported.yaml']);
    const gw = `${INFRA}/gateway-tlsroute-mixed-termination-not-supported`;
    for (const name of ['tls-terminate', 'tls-passthrough']) has(listener(w, gw, name).conditions, 'Accepted', 'True', 'Accepted');
  });

  it('TLSRouteListenerTerminateSupportedKinds and TLSRouteListenerTerminateNotSupported (skipped upstream when Terminate is supported)', () => {
    const w = new World(['tests/tlsroute-listener-terminate-supported-kinds.yaml']);
    const l = listener(w, `${INFRA}/gateway-tlsroute-terminate-supported`, 'tls-terminate');
    expect(l.supportedKinds).toEqual([{ group: G, kind: 'TLSRoute' }]);
    has(l.conditions, 'Accepted', 'True', 'Accepted');
    const w2 = new World(['tests/tlsroute-listener-terminate-not-supported.yaml']);
    has(listener(w2, `${INFRA}/gateway-tlsroute-terminate-unsupported`, 'tls-terminate').conditions, 'Accepted', 'True', 'Accepted');
  });

  it('TLSRouteListenerPassthroughSupportedKinds: TCPRoute is an invalid kind on a TLS listener, TLSRoute stays', () => {
    const w = new World(['tests/tlsroute-listener-passthrough-supported-kinds.yaml']);
    const l = listener(w, `${INFRA}/gateway-tlsroute-passthrough-supported-kind`, 'tls-passthrough');
    expect(l.supportedKinds).toEqual([{ group: G, kind: 'TLSRoute' }]);
    has(l.conditions, 'ResolvedRefs', 'False', 'InvalidRouteKinds');
    expect(l.attachedRoutes).toBe(0);
  });

  it('TLSRouteHostnameIntersection: SNI chains follow the listener/route hostname intersection', () => {
    const w = new World(['tests/tlsroute-hostname-intersection.yaml']);
    const x1 = `${INFRA}/gw-tlsroute-exact-hostname-x-1`;
    mustBeAccepted(w, x1, 'TLSRoute', [`${INFRA}/tlsroute-more-specific-wc-hostname-x-1`]);
    expect(destination(w.connect(x1, { port: 443, transport: 'tls', sni: 'abc.example.com' }))).toEqual({ 'tls-backend': 1 });
    expect(destination(w.connect(x1, { port: 443, transport: 'tls', sni: 'non.matching.com' }))).toBe('rejected');
    const x2 = `${INFRA}/gw-tlsroute-more-specific-wc-hostname-x-2`;
    mustBeAccepted(w, x2, 'TLSRoute', [`${INFRA}/tlsroute-exact-hostname-x-2`, `${INFRA}/tlsroute-less-specific-wc-hostname-x-2`]);
    expect(destination(w.connect(x2, { port: 443, transport: 'tls', sni: 'abc.example.com' }))).toEqual({ 'tls-backend': 1 });
    expect(destination(w.connect(x2, { port: 443, transport: 'tls', sni: 'other.example.com' }))).toEqual({ 'tls-backend-2': 1 });
    expect(destination(w.connect(x2, { port: 443, transport: 'tls', sni: 'non.matching.com' }))).toBe('rejected');
    const x3 = `${INFRA}/gw-tlsroute-less-specific-wc-hostname-x-3`;
    mustBeAccepted(w, x3, 'TLSRoute', [`${INFRA}/tlsroute-exact-hostname-x-3`, `${INFRA}/tlsroute-more-specific-wc-hostname-x-3`]);
    expect(destination(w.connect(x3, { port: 443, transport: 'tls', sni: 'abc.example.com' }))).toEqual({ 'tls-backend': 1 });
    expect(destination(w.connect(x3, { port: 443, transport: 'tls', sni: 'other.example.com' }))).toEqual({ 'tls-backend-2': 1 });
    expect(destination(w.connect(x3, { port: 443, transport: 'tls', sni: 'non.matching.com' }))).toBe('rejected');
    const x4 = `${INFRA}/gw-tlsroute-empty-hostname-x-4`;
    mustBeAccepted(w, x4, 'TLSRoute', [`${INFRA}/tlsroute-exact-hostname-x-4`, `${INFRA}/tlsroute-less-specific-wc-hostname-x-4`]);
    expect(destination(w.connect(x4, { port: 443, transport: 'tls', sni: 'abc.example.com' }))).toEqual({ 'tls-backend': 1 });
    expect(destination(w.connect(x4, { port: 443, transport: 'tls', sni: 'other.example.com' }))).toEqual({ 'tls-backend-2': 1 });
    expect(destination(w.connect(x4, { port: 443, transport: 'tls', sni: 'non.matching.org' }))).toBe('rejected');
  });

  it('TLSRouteInvalidNoMatchingListenerHostname: NoMatchingListenerHostname, no route attached', () => {
    const w = new World(['tests/tlsroute-invalid-no-matching-listener-hostname.yaml']);
    has(
      routeConds(w, 'TLSRoute', `${INFRA}/tlsroute-hostname-mismatch-1`, `${INFRA}/gateway-tls-exact-hostname`),
      'Accepted',
      'False',
      'NoMatchingListenerHostname',
    );
    has(
      routeConds(w, 'TLSRoute', `${INFRA}/tlsroute-hostname-mismatch-2`, `${INFRA}/gateway-tls-wildcard-hostname`),
      'Accepted',
      'False',
      'NoMatchingListenerHostname',
    );
    for (const r of ['tlsroute-hostname-mismatch-1', 'tlsroute-hostname-mismatch-2']) noAcceptedParents(w, 'TLSRoute', `${INFRA}/${r}`);
    zeroRoutes(w, `${INFRA}/gateway-tls-exact-hostname`);
    zeroRoutes(w, `${INFRA}/gateway-tls-wildcard-hostname`);
  });

  it('TLSRouteInvalidNoMatchingListener: HTTP/HTTPS listeners refuse TLSRoutes, unknown sectionName is NoMatchingParent', () => {
    const w = new World(['tests/tlsroute-invalid-no-matching-listener.yaml']);
    has(
      routeConds(w, 'TLSRoute', `${INFRA}/tlsroute-not-allowed-protocol-http`, `${INFRA}/gateway-tlsroute-http-only`),
      'Accepted',
      'False',
      'NotAllowedByListeners',
    );
    has(
      routeConds(w, 'TLSRoute', `${INFRA}/tlsroute-not-allowed-protocol-https`, `${INFRA}/gateway-tlsroute-https-only`),
      'Accepted',
      'False',
      'NotAllowedByListeners',
    );
    has(
      routeConds(w, 'TLSRoute', `${INFRA}/tlsroute-no-matching-section-name`, `${INFRA}/gateway-tlsroute-tls-passthrough-only`),
      'Accepted',
      'False',
      'NoMatchingParent',
    );
    for (const r of ['tlsroute-not-allowed-protocol-http', 'tlsroute-not-allowed-protocol-https', 'tlsroute-no-matching-section-name'])
      noAcceptedParents(w, 'TLSRoute', `${INFRA}/${r}`);
    for (const g of ['gateway-tlsroute-http-only', 'gateway-tlsroute-https-only', 'gateway-tlsroute-tls-passthrough-only']) zeroRoutes(w, `${INFRA}/${g}`);
  });

  it('TLSRouteInvalidBackendRefNonexistent and TLSRouteInvalidBackendRefUnknownKind: ResolvedRefs=False, connections rejected', () => {
    const w = new World(['tests/tlsroute-invalid-backendref-nonexistent.yaml']);
    const gw = `${INFRA}/gateway-tlsroute-invalid-backend-ref-nonexistent`;
    mustBeAccepted(w, gw, 'TLSRoute', [`${INFRA}/invalid-backend-ref-nonexistent`]);
    has(routeConds(w, 'TLSRoute', `${INFRA}/invalid-backend-ref-nonexistent`, gw), 'ResolvedRefs', 'False', 'BackendNotFound');
    expect(destination(w.connect(gw, { port: 443, transport: 'tls', sni: 'example.com' }))).toBe('rejected');
    const w2 = new World(['tests/tlsroute-invalid-backendref-unknown-kind.yaml']);
    const gw2 = `${INFRA}/gateway-tlsroute-invalid-backend-ref-unknown-kind`;
    mustBeAccepted(w2, gw2, 'TLSRoute', [`${INFRA}/invalid-backend-ref-unknown-kind`]);
    has(routeConds(w2, 'TLSRoute', `${INFRA}/invalid-backend-ref-unknown-kind`, gw2), 'ResolvedRefs', 'False', 'InvalidKind');
    expect(destination(w2.connect(gw2, { port: 443, transport: 'tls', sni: 'example.com' }))).toBe('rejected');
  });

  it('HTTPRouteDisallowedKind: an HTTPRoute cannot attach to a TLS listener that allows only TLSRoute', () => {
    const w = new World(['tests/httproute-disallowed-kind.yaml']);
    const gw = `${INFRA}/tlsroutes-only`;
    has(routeConds(w, 'HTTPRoute', `${INFRA}/disallowed-kind`, gw), 'ResolvedRefs', 'True', 'ResolvedRefs');
    has(routeConds(w, 'HTTPRoute', `${INFRA}/disallowed-kind`, gw), 'Accepted', 'False', 'NotAllowedByListeners');
    noAcceptedParents(w, 'HTTPRoute', `${INFRA}/disallowed-kind`);
    zeroRoutes(w, gw);
  });

  it('TLSRouteInvalidReferenceGrant: no grant matches, RefNotPermitted', () => {
    const w = new World(['tests/tlsroute-invalid-reference-grant.yaml']);
    const gw = `${INFRA}/gateway-tlsroute-referencegrant`;
    mustBeAccepted(w, gw, 'TLSRoute', [`${INFRA}/gateway-conformance-infra-test`]);
    has(routeConds(w, 'TLSRoute', `${INFRA}/gateway-conformance-infra-test`, gw), 'ResolvedRefs', 'False', 'RefNotPermitted');
    expect(destination(w.connect(gw, { port: 443, transport: 'tls', sni: 'abc.example.com' }))).toBe('rejected');
  });
});

// ---- TCPRoute --------------------------------------------------------------

describe('TCPRoute conformance', () => {
  it('TCPRouteWeightedRouting: 70/30/0', () => {
    const w = new World(['tests/tcproute-weighted-routing.yaml']);
    const gw = `${INFRA}/tcp-weighted-gateway`;
    mustBeAccepted(w, gw, 'TCPRoute', [`${INFRA}/tcp-weighted-route`]);
    expect(destination(w.connect(gw, { port: 9300, transport: 'raw' }))).toEqual({ 'tcp-backend-v1': 0.7, 'tcp-backend-v2': 0.3 });
  });

  it('TCPRouteParentRefPortAndSectionName and TCPRouteParentRefAttachAll', () => {
    const w = new World(['tests/tcproute-parentref-port-and-section-name.yaml']);
    const gw = `${INFRA}/tcp-multi-listener-gateway`;
    mustBeAccepted(
      w,
      gw,
      'TCPRoute',
      ['tcp-route-by-port', 'tcp-route-by-section', 'tcp-route-by-section-and-port'].map((r) => `${INFRA}/${r}`),
    );
    expect([9300, 9301, 9302].map((port) => destination(w.connect(gw, { port, transport: 'raw' })))).toEqual([
      { 'tcp-echo-one': 1 },
      { 'tcp-echo-two': 1 },
      { 'tcp-echo-three': 1 },
    ]);
    expect(listeners(w, gw).map((l) => l.attachedRoutes)).toEqual([1, 1, 1]);
    const all = new World(['tests/tcproute-parentref-attach-all.yaml']);
    const gw2 = `${INFRA}/tcp-attach-all-gateway`;
    mustBeAccepted(all, gw2, 'TCPRoute', [`${INFRA}/tcp-route-attach-all`]);
    expect(listeners(all, gw2).map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['one', 1],
      ['two', 1],
      ['three', 1],
      ['four', 1],
    ]);
    expect([9310, 9311, 9312, 9313].map((port) => destination(all.connect(gw2, { port, transport: 'raw' })))).toEqual(
      Array(4).fill({ 'tcp-echo-attach-all': 1 }),
    );
  });

  it('TCPRouteMultipleRoutesAttachment: both Accepted, 2 attached, the older one gets the traffic', () => {
    const w = new World(['tests/tcproute-multiple-routes-attachment.yaml']);
    const gw = `${INFRA}/tcp-multi-route-attach-gateway`;
    mustBeAccepted(w, gw, 'TCPRoute', [`${INFRA}/tcproute-attach-older`]);
    w.apply(
      route('TCPRoute', `${INFRA}/tcproute-attach-newer`, {
        parentRefs: [{ name: 'tcp-multi-route-attach-gateway', sectionName: 'tcp' }],
        rules: [{ backendRefs: [{ name: 'tcp-attach-backend-2', port: 3000 }] }],
      }),
    );
    for (const r of ['tcproute-attach-older', 'tcproute-attach-newer']) has(routeConds(w, 'TCPRoute', `${INFRA}/${r}`, gw), 'Accepted', 'True', 'Accepted');
    expect(listener(w, gw, 'tcp').attachedRoutes).toBe(2);
    expect(destination(w.connect(gw, { port: 9310, transport: 'raw' }))).toEqual({ 'tcp-attach-backend-1': 1 });
  });

  it('TCPRouteInvalidNonTCPListener: NotAllowedByListeners, zero routes', () => {
    const w = new World(['tests/tcproute-invalid-non-tcp-listener.yaml']);
    has(routeConds(w, 'TCPRoute', `${INFRA}/tcp-route`, `${INFRA}/tcp-mixed-protocol-gateway`), 'Accepted', 'False', 'NotAllowedByListeners');
    zeroRoutes(w, `${INFRA}/tcp-mixed-protocol-gateway`);
  });

  it('TCPRouteInvalidBackendRefNonexistent and TCPRouteInvalidCrossNamespaceBackendRef: connections rejected', () => {
    const w = new World(['tests/tcproute-invalid-backendref-nonexistent.yaml']);
    const gw = `${INFRA}/tcp-gateway-invalid-backend`;
    has(routeConds(w, 'TCPRoute', `${INFRA}/tcp-route-invalid-backend-ref-nonexistent`, gw), 'ResolvedRefs', 'False', 'BackendNotFound');
    expect(destination(w.connect(gw, { port: 9300, transport: 'raw' }))).toBe('rejected');
    const x = new World(['tests/tcproute-invalid-cross-namespace-backend-ref.yaml']);
    const gw2 = `${INFRA}/tcp-invalid-cross-namespace-backend-ref-gateway`;
    mustBeAccepted(x, gw2, 'TCPRoute', [`${INFRA}/tcp-invalid-cross-namespace-backend-ref`]);
    has(routeConds(x, 'TCPRoute', `${INFRA}/tcp-invalid-cross-namespace-backend-ref`, gw2), 'ResolvedRefs', 'False', 'RefNotPermitted');
    expect(destination(x.connect(gw2, { port: 9321, transport: 'raw' }))).toBe('rejected');
  });

  it('TCPRouteReferenceGrant: allowed with the grant, RefNotPermitted once it is deleted', () => {
    const w = new World(['tests/tcproute-reference-grant.yaml']);
    const gw = `${INFRA}/tcp-reference-grant-gateway`;
    mustBeAccepted(w, gw, 'TCPRoute', [`${INFRA}/tcp-reference-grant`]);
    has(routeConds(w, 'TCPRoute', `${INFRA}/tcp-reference-grant`, gw), 'ResolvedRefs', 'True', 'ResolvedRefs');
    expect(destination(w.connect(gw, { port: 9320, transport: 'raw' }))).toEqual({ 'tcp-reference-grant-backend': 1 });
    w.remove('ReferenceGrant', `${WEB}/tcp-reference-grant`);
    has(routeConds(w, 'TCPRoute', `${INFRA}/tcp-reference-grant`, gw), 'ResolvedRefs', 'False', 'RefNotPermitted');
    expect(destination(w.connect(gw, { port: 9320, transport: 'raw' }))).toBe('rejected');
  });
});

// ---- UDPRoute --------------------------------------------------------------

describe('UDPRoute conformance', () => {
  it('UDPRouteSimple: datagrams on 5300 go to udp-echo', () => {
    const w = new World(['tests/udproute-simple.yaml']);
    const gw = `${INFRA}/udp-gateway`;
    mustBeAccepted(w, gw, 'UDPRoute', [`${INFRA}/udp-route`]);
    expect(destination(w.connect(gw, { port: 5300, transport: 'udp' }))).toEqual({ 'udp-echo': 1 });
  });

  it('UDPRouteWeightedRouting: 70/30/0 through locality weights', () => {
    const w = new World(['tests/udproute-weighted-routing.yaml']);
    const gw = `${INFRA}/udp-weighted-gateway`;
    mustBeAccepted(w, gw, 'UDPRoute', [`${INFRA}/udp-weighted-route`]);
    expect(destination(w.connect(gw, { port: 5300, transport: 'udp' }))).toEqual({ 'udp-backend-v1': 0.7, 'udp-backend-v2': 0.3 });
  });

  it('UDPRouteParentRefPortAndSectionName and UDPRouteParentRefAttachAllListeners', () => {
    const w = new World(['tests/udproute-parentref-port-and-section-name.yaml']);
    const gw = `${INFRA}/udp-multi-listener-gateway`;
    mustBeAccepted(
      w,
      gw,
      'UDPRoute',
      ['udp-route-by-port', 'udp-route-by-section', 'udp-route-by-section-and-port'].map((r) => `${INFRA}/${r}`),
    );
    expect([5300, 5301, 5302].map((port) => destination(w.connect(gw, { port, transport: 'udp' })))).toEqual([
      { 'udp-echo-by-port': 1 },
      { 'udp-echo-by-section': 1 },
      { 'udp-echo-by-section-and-port': 1 },
    ]);
    const all = new World(['tests/udproute-parentref-attach-all-listeners.yaml']);
    const gw2 = `${INFRA}/udp-attach-all-listeners-gateway`;
    mustBeAccepted(all, gw2, 'UDPRoute', [`${INFRA}/udp-route-attach-all`]);
    expect(listeners(all, gw2).map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['udp-1', 1],
      ['udp-2', 1],
      ['udp-3', 1],
    ]);
    expect([5310, 5311, 5312].map((port) => destination(all.connect(gw2, { port, transport: 'udp' })))).toEqual(Array(3).fill({ 'udp-echo-attach-all': 1 }));
  });

  it('UDPRouteMultipleRoutesAttachment: both Accepted, 2 attached, the older one gets the datagrams', () => {
    const w = new World(['tests/udproute-multiple-routes-attachment.yaml']);
    const gw = `${INFRA}/udp-multi-route-attach-gateway`;
    mustBeAccepted(w, gw, 'UDPRoute', [`${INFRA}/udproute-attach-older`]);
    w.apply(
      route('UDPRoute', `${INFRA}/udproute-attach-newer`, {
        parentRefs: [{ name: 'udp-multi-route-attach-gateway', sectionName: 'udp' }],
        rules: [{ backendRefs: [{ name: 'udp-attach-backend-2', port: 8080 }] }],
      }),
    );
    for (const r of ['udproute-attach-older', 'udproute-attach-newer']) has(routeConds(w, 'UDPRoute', `${INFRA}/${r}`, gw), 'Accepted', 'True', 'Accepted');
    expect(listener(w, gw, 'udp').attachedRoutes).toBe(2);
    expect(destination(w.connect(gw, { port: 5301, transport: 'udp' }))).toEqual({ 'udp-attach-backend-1': 1 });
  });

  it('UDPRouteNotAllowedByListeners, UDPRouteInvalidBackendRefNonexistent, UDPRouteInvalidCrossNamespaceBackendRef', () => {
    const w = new World(['tests/udproute-not-allowed-by-listeners.yaml']);
    has(
      routeConds(w, 'UDPRoute', `${INFRA}/udproute-not-allowed-by-listeners`, `${INFRA}/udproute-tls-only-gateway`),
      'Accepted',
      'False',
      'NotAllowedByListeners',
    );
    zeroRoutes(w, `${INFRA}/udproute-tls-only-gateway`);
    const n = new World(['tests/udproute-invalid-backendref-nonexistent.yaml']);
    has(
      routeConds(n, 'UDPRoute', `${INFRA}/udp-route-invalid-backend-ref-nonexistent`, `${INFRA}/udp-gateway-invalid-backend`),
      'ResolvedRefs',
      'False',
      'BackendNotFound',
    );
    expect(destination(n.connect(`${INFRA}/udp-gateway-invalid-backend`, { port: 5300, transport: 'udp' }))).toBe('rejected');
    const x = new World(['tests/udproute-invalid-cross-namespace-backend-ref.yaml']);
    const gw = `${INFRA}/udp-gateway-invalid-cross-namespace-backend-ref`;
    mustBeAccepted(x, gw, 'UDPRoute', [`${INFRA}/udp-route-invalid-cross-namespace-backend-ref`]);
    has(routeConds(x, 'UDPRoute', `${INFRA}/udp-route-invalid-cross-namespace-backend-ref`, gw), 'ResolvedRefs', 'False', 'RefNotPermitted');
  });

  it('UDPRouteReferenceGrant: allowed with the grant, RefNotPermitted once it is deleted', () => {
    const w = new World(['tests/udproute-reference-grant.yaml']);
    const gw = `${INFRA}/udp-gateway-reference-grant`;
    mustBeAccepted(w, gw, 'UDPRoute', [`${INFRA}/udp-route-reference-grant`]);
    has(routeConds(w, 'UDPRoute', `${INFRA}/udp-route-reference-grant`, gw), 'ResolvedRefs', 'True', 'ResolvedRefs');
    expect(destination(w.connect(gw, { port: 5300, transport: 'udp' }))).toEqual({ 'udp-echo-reference-grant': 1 });
    w.remove('ReferenceGrant', `${APP}/udp-reference-grant`);
    has(routeConds(w, 'UDPRoute', `${INFRA}/udp-route-reference-grant`, gw), 'ResolvedRefs', 'False', 'RefNotPermitted');
  });
});

// ---- BackendTLSPolicy ------------------------------------------------------

/** The upstream TLS of the cluster a request to `path` on the Gateway's HTTP listener is forwarded to. */
function upstreamOf(w: World, gw: string, path: string, host = 'abc.example.com', port = 80, scheme: 'http' | 'https' = 'http') {
  const f = w.fleet(gw);
  const e = explain(f, { port, scheme, method: 'GET', host, path });
  if (e.kind !== 'route' || e.action.kind !== 'clusters') throw new Error(`${path}: ${e.kind}`);
  const t = e.action.backends[0]?.target;
  if (!t || t.kind !== 'backend') throw new Error(`${path}: no backend`);
  const cluster = f.clusters.find((c) => c.name === t.cluster)!;
  const ctx = cluster.transport_socket?.typed_config as unknown as
    | {
        sni?: string;
        common_tls_context?: {
          tls_certificate_sds_secret_configs?: Array<{ name: string }>;
          combined_validation_context?: {
            default_validation_context?: { match_typed_subject_alt_names?: Array<{ san_type: string; matcher: { exact: string } }> };
            validation_context_sds_secret_config?: { name: string };
          };
        };
      }
    | undefined;
  const blocked = cluster.type === 'STATIC' && (cluster.load_assignment?.endpoints ?? []).length === 0;
  if (!ctx) return { blocked, tls: false as const };
  const v = ctx.common_tls_context?.combined_validation_context;
  return {
    blocked,
    tls: true as const,
    sni: ctx.sni,
    ca: v?.validation_context_sds_secret_config?.name,
    sans: (v?.default_validation_context?.match_typed_subject_alt_names ?? []).map((m) => `${m.san_type}:${m.matcher.exact}`),
    clientCertificate: ctx.common_tls_context?.tls_certificate_sds_secret_configs?.[0]?.name,
  };
}

describe('BackendTLSPolicy conformance', () => {
  const SAME = `${INFRA}/same-namespace`;
  const CA = `ca/ConfigMap/${INFRA}/tls-checks-ca-certificate`;

  it('BackendTLSPolicy: Accepted and ResolvedRefs on the Gateway ancestor; Envoy re-encrypts with SNI, CA and hostname check', () => {
    const w = new World(['tests/backendtlspolicy.yaml']);
    for (const p of ['normative-test', 'host-mismatch', 'cert-mismatch', 'reconcile-test']) {
      has(policyConds(w, `${INFRA}/${p}`, SAME), 'Accepted', 'True', 'Accepted');
      has(policyConds(w, `${INFRA}/${p}`, SAME), 'ResolvedRefs', 'True', 'ResolvedRefs');
    }
    expect(upstreamOf(w, SAME, '/backendtlspolicy')).toEqual({
      blocked: false,
      tls: true,
      sni: 'abc.example.com',
      ca: CA,
      sans: ['DNS:abc.example.com'],
      clientCertificate: undefined,
    });
    // Mismatches are Envoy's handshake failures at run time: the config says what it verifies.
    expect(upstreamOf(w, SAME, '/backendtlspolicy-host-mismatch')).toMatchObject({ sni: 'mismatch.example.com', sans: ['DNS:mismatch.example.com'] });
    expect(upstreamOf(w, SAME, '/backendtlspolicy-cert-mismatch')).toMatchObject({ ca: `ca/ConfigMap/${INFRA}/mismatch-ca-certificate` });
    // Re-encrypt: HTTPS in, TLS out to the same backend.
    expect(upstreamOf(w, `${INFRA}/same-namespace-with-https-listener`, '/backendtlspolicy', 'https-listener.org', 443, 'https')).toMatchObject({
      tls: true,
      sni: 'abc.example.com',
    });
    // The CA bundle reaches the fleet as an SDS secret with the ConfigMap's certificate.
    const secret = w.fleet(SAME).secrets.find((s) => s.name === CA);
    const cm = w.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'tls-checks-ca-certificate') as unknown as { data: Record<string, string> };
    expect(secret?.validation_context?.trusted_ca?.inline_string).toBe(cm.data['ca.crt']);
  });

  it('BackendTLSPolicySANValidation: subjectAltNames replace the hostname check', () => {
    const w = new World(['tests/backendtlspolicy-san.yaml']);
    const objects = w.objects.filter((o) => o.kind === 'BackendTLSPolicy') as unknown as Array<{
      metadata: { name: string };
      spec: { targetRefs: Array<{ name: string }>; validation: { subjectAltNames: Array<{ type: string; hostname?: string; uri?: string }> } };
    }>;
    const route = w.objects.find((o) => o.kind === 'HTTPRoute') as unknown as {
      spec: { rules: Array<{ matches: Array<{ path: { value: string } }>; backendRefs: Array<{ name: string }> }> };
    };
    expect(objects.length).toBe(6);
    for (const p of objects) {
      has(policyConds(w, `${INFRA}/${p.metadata.name}`, SAME), 'Accepted', 'True', 'Accepted');
      const rule = route.spec.rules.find((r) => r.backendRefs[0]?.name === p.spec.targetRefs[0]?.name)!;
      expect(upstreamOf(w, SAME, rule.matches[0]!.path.value).sans).toEqual(
        p.spec.validation.subjectAltNames.map((s) => (s.type === 'Hostname' ? `DNS:${s.hostname}` : `URI:${s.uri}`)),
      );
    }
  });

  it('BackendTLSPolicyConflictResolution: oldest wins per Service (and per sectionName); the loser is Conflicted', () => {
    const w = new World(['tests/backendtlspolicy-conflict-resolution.yaml']);
    has(policyConds(w, `${INFRA}/conflicted-without-section-name-1`, SAME), 'Accepted', 'True', 'Accepted');
    has(policyConds(w, `${INFRA}/conflicted-without-section-name-2`, SAME), 'Accepted', 'False', 'Conflicted');
    has(policyConds(w, `${INFRA}/conflicted-with-section-name-1`, SAME), 'Accepted', 'True', 'Accepted');
    has(policyConds(w, `${INFRA}/conflicted-with-section-name-2`, SAME), 'Accepted', 'False', 'Conflicted');
    has(policyConds(w, `${INFRA}/not-conflicted-with-section-name`, SAME), 'Accepted', 'True', 'Accepted');
    has(policyConds(w, `${INFRA}/not-conflicted-without-section-name`, SAME), 'Accepted', 'True', 'Accepted');
    expect(upstreamOf(w, SAME, '/backendtlspolicy-conflicted-without-section-name').sni).toBe('other.example.com');
    expect(upstreamOf(w, SAME, '/backendtlspolicy-conflicted-with-section-name').sni).toBe('other.example.com');
    expect(upstreamOf(w, SAME, '/backendtlspolicy-not-conflicted-with-section-name').sni).toBe('other.example.com');
    expect(upstreamOf(w, SAME, '/backendtlspolicy-not-conflicted-without-section-name').sni).toBe('abc.example.com');
  });

  it('BackendTLSPolicyInvalidCACertificateRef and BackendTLSPolicyInvalidKind: NoValidCACertificate, requests get 5xx', () => {
    const w = new World(['tests/backendtlspolicy-invalid-ca-certificate-ref.yaml']);
    for (const p of ['nonexistent-ca-certificate-ref', 'malformed-ca-certificate-ref']) {
      has(policyConds(w, `${INFRA}/${p}`, SAME), 'Accepted', 'False', 'NoValidCACertificate');
      has(policyConds(w, `${INFRA}/${p}`, SAME), 'ResolvedRefs', 'False', 'InvalidCACertificateRef');
      expect(upstreamOf(w, SAME, `/backendtlspolicy-${p}`)).toEqual({ blocked: true, tls: false });
    }
    const k = new World(['tests/backendtlspolicy-invalid-kind.yaml']);
    has(policyConds(k, `${INFRA}/invalid-kind`, SAME), 'Accepted', 'False', 'NoValidCACertificate');
    has(policyConds(k, `${INFRA}/invalid-kind`, SAME), 'ResolvedRefs', 'False', 'InvalidKind');
    expect(upstreamOf(k, SAME, '/backendtlspolicy-invalid-kind')).toEqual({ blocked: true, tls: false });
  });

  it('BackendTLSPolicyObservedGenerationBump: conditions carry the new generation', () => {
    const w = new World(['tests/backendtlspolicy-observed-generation-bump.yaml']);
    const nn = `${INFRA}/observed-generation-bump`;
    expect(policyConds(w, nn, SAME).map((c) => c.observedGeneration)).toEqual([1, 1]);
    const p = structuredClone(w.objects.find((o) => o.kind === 'BackendTLSPolicy' && o.metadata.name === 'observed-generation-bump')!);
    (p.spec as { validation: { hostname: string } }).validation.hostname = 'other.example.com';
    w.apply(p);
    expect(policyConds(w, nn, SAME).map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ['Accepted', 'True', 2],
      ['ResolvedRefs', 'True', 2],
    ]);
  });

  it('GatewayTLSBackendClientCertificate: the Gateway presents its client certificate to the backend', () => {
    const w = new World(['tests/gateway-tls-backend-client-certificate.yaml']);
    const gw = `${INFRA}/gateway-tls-backend-client-certificate`;
    has(gatewayConds(w, gw), 'Accepted', 'True', 'Accepted');
    has(gatewayConds(w, gw), 'ResolvedRefs', 'True');
    expect(upstreamOf(w, gw, '/')).toMatchObject({
      tls: true,
      sni: 'abc.example.com',
      ca: CA,
      clientCertificate: `tls/${INFRA}/tls-checks-client-certificate`,
    });
    expect(w.fleet(gw).secrets.map((s) => s.name)).toEqual([CA, `tls/${INFRA}/tls-checks-client-certificate`]);
  });

  it('GatewayInvalidTLSBackendConfiguration: Gateway ResolvedRefs=False with the spec reasons, still Accepted', () => {
    const w = new World(['tests/gateway-invalid-tls-backend-configuration.yaml']);
    const cases: Array<[string, string]> = [
      ['gateway-client-certificate-nonexistent-secret', 'InvalidClientCertificateRef'],
      ['gateway-client-certificate-unsupported-group', 'InvalidClientCertificateRef'],
      ['gateway-client-certificate-unsupported-kind', 'InvalidClientCertificateRef'],
      ['gateway-client-certificate-malformed-secret', 'InvalidClientCertificateRef'],
      ['gateway-client-certificate-missing-reference-grant', 'RefNotPermitted'],
    ];
    for (const [gw, reason] of cases) {
      has(gatewayConds(w, `${INFRA}/${gw}`), 'ResolvedRefs', 'False', reason);
      has(gatewayConds(w, `${INFRA}/${gw}`), 'Accepted', 'True', 'Accepted');
    }
  });
});

// ---- HTTPS listeners (Gateway features this issue implements) ---------------

describe('HTTPS listener conformance', () => {
  it('HTTPRouteHTTPSListener: SNI = Host picks the listener, its routes answer', () => {
    const w = new World(['tests/httproute-https-listener.yaml']);
    const gw = `${INFRA}/same-namespace-with-https-listener`;
    mustBeAccepted(w, gw, 'HTTPRoute', [`${INFRA}/httproute-https-test`, `${INFRA}/httproute-https-test-no-hostname`]);
    const f = w.fleet(gw);
    const got = ['example.org', 'unknown-example.org', 'second-example.org'].map((host) => {
      const e = explain(f, { port: 443, scheme: 'https', method: 'GET', host, path: '/' });
      if (e.kind === 'no-route') return [host, e.status];
      const t = e.kind === 'route' && e.action.kind === 'clusters' ? e.action.backends[0]?.target : undefined;
      return [host, 200, t?.kind === 'backend' ? t.backend?.name : undefined];
    });
    expect(got).toEqual([
      ['example.org', 200, 'infra-backend-v1'],
      ['unknown-example.org', 404],
      ['second-example.org', 200, 'infra-backend-v2'],
    ]);
  });

  it('HTTPRouteHTTPSListenerDetectMisdirectedRequests: 421 for a Host another listener of the port owns, by SNI', () => {
    const w = new World(['tests/httproute-https-listener-detect-misdirected-requests.yaml']);
    const gw = `${INFRA}/same-namespace-with-https-listener`;
    const routes = [1, 2, 3, 4].map((i) => `${INFRA}/https-listener-detect-misdirected-requests-test-${i}`);
    mustBeAccepted(w, gw, 'HTTPRoute', routes);
    for (const r of routes) has(routeConds(w, 'HTTPRoute', r, gw), 'ResolvedRefs', 'True', 'ResolvedRefs');
    const f = w.fleet(gw);
    const cases: Array<[sni: string, host: string, status: number, backend?: string]> = [
      ['example.org', 'example.org', 200, 'infra-backend-v1'],
      ['example.org', 'second-example.org', 421],
      ['example.org', 'unknown-example.org', 404],
      ['second-example.org', 'second-example.org', 200, 'infra-backend-v2'],
      ['second-example.org', 'example.org', 421],
      ['second-example.org', 'unknown-example.org', 421],
      ['third-example.wildcard.org', 'third-example.wildcard.org', 200, 'infra-backend-v3'],
      ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, 'infra-backend-v3'],
      ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
      ['third-example.wildcard.org', 'second-example.org', 421],
      ['third-example.wildcard.org', 'unknown-example.org', 421],
      ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, 'infra-backend-v1'],
      ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
      ['unknown-example.org', 'example.org', 200, 'infra-backend-v1'],
      ['unknown-example.org', 'unknown-example.org', 404],
    ];
    const got = cases.map(([sni, host]) => {
      const e = explain(f, { port: 443, scheme: 'https', method: 'GET', host, sni, path: '/detect-misdirected-requests' });
      if (e.kind === 'no-route') return [sni, host, e.status];
      if (e.kind !== 'route') return [sni, host, e.kind];
      if (e.action.kind === 'direct_response') return [sni, host, e.action.status];
      if (e.action.kind !== 'clusters') return [sni, host, e.action.kind];
      const t = e.action.backends[0]?.target;
      return [sni, host, 200, t?.kind === 'backend' ? t.backend?.name : undefined];
    });
    expect(got).toEqual(cases.map((c) => (c[3] ? c : c.slice(0, 3))));
    // Every SNI is served the listener's certificate (one Secret, RSA).
    for (const [sni] of cases)
      expect(w.connect(gw, { port: 443, transport: 'tls', sni })).toMatchObject({
        tls: { mode: 'terminate', served: [`tls/${INFRA}/tls-validity-checks-certificate`] },
      });
  });

  it('GatewayFrontendClientCertificateValidation: a client certificate is required, default CA on 443, per-port CA on 8443', () => {
    const w = new World(['tests/gateway-with-clientcertificate-validation.yaml']);
    const gw = `${INFRA}/client-validation-default`;
    mustBeAccepted(w, gw, 'HTTPRoute', [`${INFRA}/client-certificate-validation-https-test`, `${INFRA}/client-certificate-validation-https-test-no-hostname`]);
    expect(w.connect(gw, { port: 443, transport: 'tls', sni: 'example.org' })).toMatchObject({
      tls: { clientCertificate: 'required', clientCa: `ca/ConfigMap/${INFRA}/tls-validity-checks-ca-certificate` },
    });
    expect(w.connect(gw, { port: 8443, transport: 'tls', sni: 'second-example.org' })).toMatchObject({
      tls: { clientCertificate: 'required', clientCa: `ca/ConfigMap/${INFRA}/tls-validity-checks-per-port-ca-certificate` },
    });
  });

  it('GatewayFrontendClientCertificateValidationInsecureFallback: certificates verified when presented, never required; Gateway says so', () => {
    const w = new World(['tests/gateway-with-clientcertificate-validation-insecure-fallback.yaml']);
    const gw = `${INFRA}/client-validation-insecure-fallback`;
    has(gatewayConds(w, gw), 'InsecureFrontendValidationMode', 'True', 'ConfigurationChanged');
    expect(w.connect(gw, { port: 443, transport: 'tls', sni: 'example.org' })).toMatchObject({
      tls: { clientCertificate: 'optional', clientCa: `ca/ConfigMap/${INFRA}/tls-validity-checks-ca-certificate` },
    });
    expect(w.connect(gw, { port: 8443, transport: 'tls', sni: 'second-example.org' })).toMatchObject({
      tls: { clientCertificate: 'optional', clientCa: `ca/ConfigMap/${INFRA}/tls-validity-checks-per-port-ca-certificate` },
    });
  });

  it('GatewayInvalidFrontendClientCertificateValidation and GatewayFrontendInvalidDefaultClientCertificateValidation', () => {
    const w = new World(['tests/gateway-with-invalid-clientcertificate-validation.yaml']);
    const gw = `${INFRA}/gateway-with-invalid-client-cert-validation`;
    for (const t of ['ResolvedRefs', 'Accepted', 'Programmed']) has(listener(w, gw, 'https').conditions, t, 'True');
    const bad: Array<[string, string]> = [
      ['https-unresolved', 'InvalidCACertificateRef'],
      ['https-invalid-kind', 'InvalidCACertificateKind'],
      ['https-grant-missing', 'RefNotPermitted'],
    ];
    for (const [name, reason] of bad) {
      const c = listener(w, gw, name).conditions;
      has(c, 'ResolvedRefs', 'False', reason);
      has(c, 'Accepted', 'False', 'NoValidCACertificate');
      has(c, 'Programmed', 'False');
    }
    // Only the valid listener is served.
    expect(w.connect(gw, { port: 443, transport: 'tls', sni: 'example.org' })).toMatchObject({ outcome: 'accepted', tls: { clientCertificate: 'required' } });
    expect(w.connect(gw, { port: 7443, transport: 'tls', sni: 'first-example.org' })).toMatchObject({ outcome: 'no-listener' });
    const d = new World(['tests/gateway-invalid-default-frontend-client-certificate-validation.yaml']);
    const gw2 = `${INFRA}/invalid-default-client-validation-config`;
    for (const t of ['ResolvedRefs', 'Accepted', 'Programmed']) has(listener(d, gw2, 'http').conditions, t, 'True');
    has(listener(d, gw2, 'https').conditions, 'ResolvedRefs', 'False', 'InvalidCACertificateRef');
    has(listener(d, gw2, 'https').conditions, 'Accepted', 'False', 'NoValidCACertificate');
    expect(d.connect(gw2, { port: 443, transport: 'tls', sni: 'example.org' })).toMatchObject({ outcome: 'no-listener' });
  });

  it('GatewayInvalidTLSConfiguration and GatewaySecret*ReferenceGrant: certificate reference problems stay on the listener', () => {
    const w = new World(['tests/gateway-invalid-tls-configuration.yaml']);
    for (const gw of [
      'gateway-certificate-nonexistent-secret',
      'gateway-certificate-unsupported-group',
      'gateway-certificate-unsupported-kind',
      'gateway-certificate-malformed-secret',
    ]) {
      const l = listener(w, `${INFRA}/${gw}`, 'https');
      has(l.conditions, 'ResolvedRefs', 'False', 'InvalidCertificateRef');
      expect([l.attachedRoutes, l.supportedKinds.map((k) => k.kind)]).toEqual([0, ['HTTPRoute', 'GRPCRoute']]);
    }
    const missing = new World(['tests/gateway-secret-missing-reference-grant.yaml']);
    has(listener(missing, `${INFRA}/gateway-secret-missing-reference-grant`, 'https').conditions, 'ResolvedRefs', 'False', 'RefNotPermitted');
    const invalid = new World(['tests/gateway-secret-invalid-reference-grant.yaml']);
    has(listener(invalid, `${INFRA}/gateway-secret-invalid-reference-grant`, 'https').conditions, 'ResolvedRefs', 'False', 'RefNotPermitted');
    for (const [file, gw] of [
      ['gateway-secret-reference-grant-all-in-namespace', 'gateway-secret-reference-grant-all-in-namespace'],
      ['gateway-secret-reference-grant-specific', 'gateway-secret-reference-grant-specific'],
    ] as const) {
      const ok = new World([`tests/${file}.yaml`]);
      has(listener(ok, `${INFRA}/${gw}`, 'https').conditions, 'ResolvedRefs', 'True', 'ResolvedRefs');
      expect(ok.connect(`${INFRA}/${gw}`, { port: 443, transport: 'tls', sni: 'example.org' })).toMatchObject({ tls: { served: [`tls/${WEB}/certificate`] } });
    }
  });
});

// ---- ListenerSet -------------------------------------------------------------

function lsConds(w: World, ls: string): Cond[] {
  return (w.status('ListenerSet', ls).conditions as Cond[]) ?? [];
}
function lsListener(w: World, ls: string, name: string) {
  const l = (
    w.status('ListenerSet', ls).listeners as Array<{ name: string; attachedRoutes: number; supportedKinds: Array<{ kind: string }>; conditions: Cond[] }>
  ).find((x) => x.name === name);
  if (!l) throw new Error(`no listener ${name} on ListenerSet ${ls}`);
  return l;
}
const attachedListenerSets = (w: World, gw: string) => w.status('Gateway', gw).attachedListenerSets;
/** Which backend a plain HTTP request reaches on port 80 (404 when no route). */
function reach(w: World, gw: string, host: string, path: string): string | number {
  const e = explain(w.fleet(gw), { port: 80, scheme: 'http', method: 'GET', host, path });
  if (e.kind === 'no-route') return e.status;
  if (e.kind !== 'route' || e.action.kind !== 'clusters') return e.kind;
  const t = e.action.backends[0]?.target;
  return t?.kind === 'backend' ? (t.backend?.name ?? t.cluster) : -1;
}

describe('ListenerSet conformance', () => {
  it('ListenerSetDefaultNotAllowed, ListenerSetAllowedNamespaceNone: NotAllowed, nothing attached', () => {
    for (const [file, gw, ls] of [
      ['listenerset-default-not-allowed', 'gateway-default-does-not-allow-listenerset', 'listenerset-default-not-allowed'],
      ['listenerset-allowed-namespace-none', 'gateway-does-not-allow-listenerset', 'listenerset-not-allowed'],
    ] as const) {
      const w = new World([`tests/${file}.yaml`]);
      has(gatewayConds(w, `${INFRA}/${gw}`), 'Accepted', 'True');
      expect(attachedListenerSets(w, `${INFRA}/${gw}`)).toBe(0);
      has(lsConds(w, `${INFRA}/${ls}`), 'Accepted', 'False', 'NotAllowed');
      has(lsConds(w, `${INFRA}/${ls}`), 'Programmed', 'False', 'NotAllowed');
    }
  });

  it('ListenerSetAllowedNamespaceSame and ListenerSetAllowedNamespaceSelector', () => {
    const w = new World(['tests/listenerset-allowed-namespace-same.yaml']);
    const gw = `${INFRA}/gateway-allows-listenerset-in-same-namespace`;
    expect(attachedListenerSets(w, gw)).toBe(1);
    has(lsConds(w, `${INFRA}/listenerset-in-same-namespace`), 'Accepted', 'True', 'Accepted');
    has(lsConds(w, `${INFRA}/listenerset-in-same-namespace`), 'Programmed', 'True', 'Programmed');
    for (const t of ['Accepted', 'Programmed', 'ResolvedRefs'])
      has(lsListener(w, `${INFRA}/listenerset-in-same-namespace`, 'listenerset-in-same-namespace-listener').conditions, t, 'True');
    has(lsConds(w, 'gateway-api-listenerset-not-allowed-ns/listenerset-in-different-namespace'), 'Accepted', 'False', 'NotAllowed');
    const s = new World(['tests/listenerset-allowed-namespace-selector.yaml']);
    const gw2 = `${INFRA}/gateway-allows-listenerset-in-selected-namespace`;
    expect(attachedListenerSets(s, gw2)).toBe(1);
    has(lsConds(s, 'gateway-api-listenerset-selector-allowed-ns/listenerset-in-selected-namespace'), 'Accepted', 'True', 'Accepted');
    has(lsConds(s, 'gateway-api-listenerset-selector-not-allowed-ns/listenerset-not-in-selected-namespace'), 'Accepted', 'False', 'NotAllowed');
  });

  it('ListenerSetHTTPRouting: routes reach listeners of the Gateway and of its ListenerSets through their own parentRefs', () => {
    const w = new World(['tests/listenerset-http-routing.yaml']);
    const gw = `${INFRA}/gateway-with-listener-sets-http-routing`;
    mustBeAccepted(
      w,
      gw,
      'HTTPRoute',
      ['attaches-to-all-listeners', 'gateway-route', 'gateway-section-route'].map((r) => `${INFRA}/${r}`),
    );
    expect(attachedListenerSets(w, gw)).toBe(2);
    for (const [ls, routes] of [
      ['listener-set-http-routing-1', ['attaches-to-all-listeners', 'listener-set-http-routing-1-route', 'listener-set-http-routing-1-section-route']],
      ['listener-set-http-routing-2', ['attaches-to-all-listeners', 'listener-set-http-routing-2-route']],
    ] as const) {
      for (const r of routes) has(routeConds(w, 'HTTPRoute', `${INFRA}/${r}`, `${INFRA}/${ls}`), 'Accepted', 'True', 'Accepted');
      for (const l of w.status('ListenerSet', `${INFRA}/${ls}`).listeners as Array<{ supportedKinds: Array<{ kind: string }> }>)
        expect(l.supportedKinds.map((k) => k.kind)).toEqual(['HTTPRoute', 'GRPCRoute']);
    }
    // Listener names repeat between objects; the Gateway's status only lists its own.
    expect(listeners(w, gw).map((l) => l.name)).toEqual(['gateway-listener-1', 'gateway-listener-2']);
    const route = w.objects.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === 'attaches-to-all-listeners') as unknown as {
      spec: { rules: Array<{ matches?: Array<{ path?: { value?: string } }> }> };
    };
    const path = route.spec.rules[0]?.matches?.[0]?.path?.value ?? '/';
    for (const host of [
      'gateway-listener-1.com',
      'gateway-listener-2.com',
      'listener-set-http-routing-1-listener-1.com',
      'listener-set-http-routing-1-listener-2.com',
      'listener-set-http-routing-2-listener-1.com',
      'listener-set-http-routing-2-listener-2.com',
    ]) {
      expect([host, reach(w, gw, host, path)]).toEqual([host, 'infra-backend-v1']);
    }
  });

  it('ListenerSetRouteStatusScopedToParentRef and ListenerSetDualParentRefIndependence', () => {
    const w = new World(['tests/listenerset-route-status-scoped-to-parentref.yaml']);
    const gw = `${INFRA}/gateway-parentref`;
    expect(attachedListenerSets(w, gw)).toBe(1);
    expect(
      parents(w, 'HTTPRoute', `${INFRA}/route-parentref-gwonly`).map((p) => [p.parentRef, p.conditions.find((c) => c.type === 'Accepted')?.status]),
    ).toEqual([[{ name: 'gateway-parentref', namespace: INFRA }, 'True']]);
    expect(
      parents(w, 'HTTPRoute', `${INFRA}/route-parentref-lsonly`).map((p) => [p.parentRef, p.conditions.find((c) => c.type === 'Accepted')?.status]),
    ).toEqual([[{ kind: 'ListenerSet', group: G, name: 'listenerset-parentref', namespace: INFRA }, 'True']]);
    expect([
      reach(w, gw, 'listenerset-parentref.com', '/lsonly'),
      reach(w, gw, 'gw-parentref.com', '/gwonly'),
      reach(w, gw, 'gw-parentref.com', '/lsonly'),
    ]).toEqual(['infra-backend-v2', 'infra-backend-v1', 404]);
    const d = new World(['tests/listenerset-dual-parentref-independence.yaml']);
    const gw2 = `${INFRA}/gateway-dual-parentref`;
    has(routeConds(d, 'HTTPRoute', `${INFRA}/route-dual-parentref-both`, gw2), 'Accepted', 'True');
    has(routeConds(d, 'HTTPRoute', `${INFRA}/route-dual-parentref-both`, `${INFRA}/ls-dual-parentref`), 'Accepted', 'True');
    has(routeConds(d, 'HTTPRoute', `${INFRA}/route-dual-parentref-one`, gw2), 'Accepted', 'False', 'NoMatchingParent');
    has(routeConds(d, 'HTTPRoute', `${INFRA}/route-dual-parentref-one`, `${INFRA}/ls-dual-parentref`), 'Accepted', 'True');
    expect([
      reach(d, gw2, 'gw-dual.com', '/dualboth'),
      reach(d, gw2, 'ls-dual.com', '/dualboth'),
      reach(d, gw2, 'ls-dual.com', '/dualone'),
      reach(d, gw2, 'gw-dual.com', '/dualone'),
    ]).toEqual(['infra-backend-v1', 'infra-backend-v1', 'infra-backend-v2', 404]);
  });

  it('ListenerSetGatewayParentSectionNameNotFound: a Gateway parentRef cannot select a ListenerSet listener', () => {
    const w = new World(['tests/listenerset-gateway-parent-section-name-not-found.yaml']);
    const gw = `${INFRA}/gateway-section-name`;
    expect(attachedListenerSets(w, gw)).toBe(1);
    has(routeConds(w, 'HTTPRoute', `${INFRA}/route-via-listenerset`, `${INFRA}/listenerset-section-name`), 'Accepted', 'True', 'Accepted');
    has(routeConds(w, 'HTTPRoute', `${INFRA}/route-via-gateway`, gw), 'Accepted', 'False', 'NoMatchingParent');
  });

  it('ListenerSetHostnameConflict and ListenerSetProtocolConflict: the Gateway and older sets keep their listeners, only the newcomer is Conflicted', () => {
    for (const [file, gwName, reason, prefix] of [
      ['listenerset-hostname-conflict', 'gateway-with-listenerset-hostname-conflict', 'HostnameConflict', 'hostname'],
      ['listenerset-protocol-conflict', 'gateway-with-listenerset-protocol-conflict', 'ProtocolConflict', 'protocol'],
    ] as const) {
      const w = new World([`tests/${file}.yaml`]);
      const gw = `${INFRA}/${gwName}`;
      has(gatewayConds(w, gw), 'Accepted', 'True');
      for (const l of ['gateway-listener', `${prefix}-conflict-with-gateway-listener`])
        for (const t of ['Accepted', 'Programmed']) has(listener(w, gw, l).conditions, t, 'True');
      expect(attachedListenerSets(w, gw)).toBe(2);
      const conflicted = (ls: string, l: string) => {
        const c = lsListener(w, `${INFRA}/${ls}`, l).conditions;
        has(c, 'Accepted', 'False', reason);
        has(c, 'Programmed', 'False', reason);
        has(c, 'Conflicted', 'True', reason);
      };
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-1`), 'Accepted', 'True');
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-1`), 'Programmed', 'True', 'Programmed');
      for (const t of ['Accepted', 'Programmed'])
        has(lsListener(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-1`, 'listener-set-1-listener').conditions, t, 'True');
      conflicted(`listenerset-with-${prefix}-conflict-with-gateway-1`, `${prefix}-conflict-with-gateway-listener`);
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-2`), 'Accepted', 'False', 'ListenersNotValid');
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-2`), 'Programmed', 'False', 'ListenersNotValid');
      conflicted(`listenerset-with-${prefix}-conflict-with-gateway-2`, `${prefix}-conflict-with-gateway-listener`);
      // The oldest set (…-with-gateway-1) already has this listener's hostname: the newer sets' copies lose.
      for (const t of ['Accepted', 'Programmed'])
        has(
          lsListener(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-gateway-1`, `${prefix}-conflict-with-listener-set-listener`).conditions,
          t,
          'True',
        );
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-listener-set-1`), 'Programmed', 'True', 'Programmed');
      for (const t of ['Accepted', 'Programmed'])
        has(lsListener(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-listener-set-1`, 'listener-set-2-listener').conditions, t, 'True');
      conflicted(`listenerset-with-${prefix}-conflict-with-listener-set-1`, `${prefix}-conflict-with-listener-set-listener`);
      has(lsConds(w, `${INFRA}/listenerset-with-${prefix}-conflict-with-listener-set-2`), 'Accepted', 'False', 'ListenersNotValid');
      conflicted(`listenerset-with-${prefix}-conflict-with-listener-set-2`, `${prefix}-conflict-with-listener-set-listener`);
    }
  });

  it('ListenerSetAllowedRoutesSupportedKinds and ListenerSetAllowedRoutesNamespaces', () => {
    const k = new World(['tests/listenerset-allowed-routes-supported-kinds.yaml']);
    // A TLS listener asked to allow only HTTPRoute: no kind it can serve, InvalidRouteKinds.
    const tlsOnly = lsListener(k, `${INFRA}/listenerset-test-allowed-routes-supported-kinds`, 'listener-set-listener-allowed-routes-tls-only');
    expect(tlsOnly.supportedKinds).toEqual([]);
    has(tlsOnly.conditions, 'ResolvedRefs', 'False', 'InvalidRouteKinds');
    const n = new World(['tests/listenerset-allowed-routes-namespaces.yaml']);
    const ls = `${INFRA}/listenerset-test-allowed-routes-namespaces`;
    has(routeConds(n, 'HTTPRoute', `${INFRA}/route-in-same-namespace`, ls), 'Accepted', 'True');
    has(routeConds(n, 'HTTPRoute', 'gateway-api-routes-allowed-ns/route-in-selected-namespace', ls), 'Accepted', 'True');
    has(routeConds(n, 'HTTPRoute', 'gateway-api-routes-not-allowed-ns/route-not-in-selected-namespace', ls), 'Accepted', 'True'); // through the "All" listener
    const gwn = `${INFRA}/gateway-with-listener-sets-test-allowed-routes`;
    const host = (l: string) => `listener-set-listener-allowed-routes-${l}.com`;
    const table: Array<[string, string, string | number]> = [
      ['all', '/route-in-same-namespace', 'infra-backend-v1'],
      ['all', '/route-in-selected-namespace', 'infra-backend-v2'],
      ['all', '/route-not-in-selected-namespace', 'infra-backend-v3'],
      ['same', '/route-in-same-namespace', 'infra-backend-v1'],
      ['same', '/route-in-selected-namespace', 404],
      ['same', '/route-not-in-selected-namespace', 404],
      ['selector', '/route-in-same-namespace', 404],
      ['selector', '/route-in-selected-namespace', 'infra-backend-v2'],
      ['selector', '/route-not-in-selected-namespace', 404],
      ['cross-ns-same', '/route-in-listenerset-namespace', 'infra-backend-v1'],
      ['cross-ns-same', '/route-in-gateway-namespace', 404],
    ];
    expect(table.map(([l, path]) => [l, path, reach(n, gwn, host(l), path)])).toEqual(table);
    // allowedRoutes "Same" on a ListenerSet listener means the ListenerSet's namespace.
    const cross = 'gateway-api-ls-cross-ns/listenerset-test-allowed-routes-cross-ns';
    has(routeConds(n, 'HTTPRoute', 'gateway-api-ls-cross-ns/route-in-listenerset-namespace', cross), 'Accepted', 'True');
    has(routeConds(n, 'HTTPRoute', `${INFRA}/route-in-gateway-namespace`, cross), 'Accepted', 'False', 'NotAllowedByListeners');
  });

  it('ListenerSetReferenceGrant: certificate references of a ListenerSet listener need a grant from the ListenerSet', () => {
    const w = new World(['tests/listenerset-reference-grant.yaml']);
    has(gatewayConds(w, `${INFRA}/gateway-with-listener-sets-test-reference-grant`), 'Accepted', 'True');
    has(lsConds(w, `${INFRA}/listenerset-with-reference-grant`), 'Accepted', 'True');
    has(lsConds(w, `${INFRA}/listenerset-with-reference-grant`), 'Programmed', 'True');
    has(lsListener(w, `${INFRA}/listenerset-with-reference-grant`, 'listenerset-with-reference-grant-listener').conditions, 'ResolvedRefs', 'True');
    // The Gateway's own grant (from: Gateway) does not extend to ListenerSets; a set whose only listener may not use its certificate is not accepted.
    const denied = 'gateway-api-listener-sets-test-reference-grant-ns/listenerset-without-reference-grant';
    has(lsConds(w, denied), 'Accepted', 'False', 'ListenersNotValid');
    has(lsConds(w, denied), 'Programmed', 'False', 'ListenersNotValid');
    has(lsListener(w, denied, 'listenerset-without-reference-grant-listener').conditions, 'ResolvedRefs', 'False', 'RefNotPermitted');
    expect(
      w.connect(`${INFRA}/gateway-with-listener-sets-test-reference-grant`, {
        port: 443,
        transport: 'tls',
        sni: 'listenerset-with-reference-grant-listener.com',
      }),
    ).toMatchObject({ outcome: 'accepted', tls: { mode: 'terminate', served: [`tls/${WEB}/certificate`] } });
  });
});
