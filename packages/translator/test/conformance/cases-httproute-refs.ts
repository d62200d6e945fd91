// HTTPRoute conformance tests about references: backendRefs (missing,
// unknown kind, cross-namespace with and without ReferenceGrant), parentRefs
// that match no listener, and routes a listener does not allow.
import type { ConformanceTest } from './types.js';
import {
  accepted,
  acceptedAndResolved,
  answers,
  APP,
  cond,
  infra,
  INFRA,
  reaches,
  resolvedRefs,
  routeCondition,
  SAME_NAMESPACE,
  V1,
  V2,
  V3,
  WEB,
} from './dsl.js';

const G = SAME_NAMESPACE;

/** A route its parent rejects: the condition, no accepted parents, zero routes on the Gateway. */
function rejected(route: string, gateway: string, reason: string) {
  return [
    routeCondition(route, gateway, cond('Accepted', 'False', reason)),
    { kind: 'route-no-accepted-parents' as const, route },
    { kind: 'gateway-zero-routes' as const, gateway },
  ];
}

export const httpRouteRefTests: ConformanceTest[] = [
  {
    name: 'HTTPRouteInvalidBackendRefUnknownKind',
    manifests: ['tests/httproute-invalid-backendref-unknown-kind.yaml'],
    steps: [
      accepted(G, [infra('invalid-backend-ref-unknown-kind')]),
      routeCondition(infra('invalid-backend-ref-unknown-kind'), G, cond('ResolvedRefs', 'False', 'InvalidKind')),
      answers(G, '/v2', 500),
    ],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceBackendRef',
    manifests: ['tests/httproute-invalid-cross-namespace-backend-ref.yaml'],
    steps: [
      accepted(G, [infra('invalid-cross-namespace-backend-ref')]),
      routeCondition(infra('invalid-cross-namespace-backend-ref'), G, cond('ResolvedRefs', 'False', 'RefNotPermitted')),
      answers(G, '/', 500),
    ],
  },
  {
    name: 'HTTPRouteInvalidCrossNamespaceParentRef',
    manifests: ['tests/httproute-invalid-cross-namespace-parent-ref.yaml'],
    steps: [resolvedRefs(`${WEB}/invalid-cross-namespace-parent-ref`, G), ...rejected(`${WEB}/invalid-cross-namespace-parent-ref`, G, 'NotAllowedByListeners')],
  },
  {
    name: 'HTTPRouteInvalidNonExistentBackendRef',
    manifests: ['tests/httproute-invalid-nonexistent-backendref.yaml'],
    steps: [
      accepted(G, [infra('invalid-nonexistent-backend-ref')]),
      routeCondition(infra('invalid-nonexistent-backend-ref'), G, cond('ResolvedRefs', 'False', 'BackendNotFound')),
      answers(G, '/', 500),
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingListenerPort',
    manifests: ['tests/httproute-invalid-parentref-not-matching-listener-port.yaml'],
    steps: [
      resolvedRefs(infra('httproute-listener-not-matching-route-port'), G),
      ...rejected(infra('httproute-listener-not-matching-route-port'), G, 'NoMatchingParent'),
    ],
  },
  {
    name: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
    manifests: ['tests/httproute-invalid-parentref-not-matching-section-name.yaml'],
    steps: rejected(infra('httproute-listener-not-matching-section-name'), G, 'NoMatchingParent'),
  },
  {
    name: 'HTTPRouteInvalidParentRefSectionNameNotMatchingPort',
    manifests: ['tests/httproute-invalid-parentref-section-name-not-matching-port.yaml'],
    steps: rejected(
      infra('httproute-listener-section-name-not-matching-port'),
      infra('gateway-with-one-not-matching-port-and-section-name-route'),
      'NoMatchingParent',
    ),
  },
  {
    name: 'HTTPRouteInvalidReferenceGrant',
    manifests: ['tests/httproute-invalid-reference-grant.yaml'],
    steps: [
      accepted(G, [infra('reference-grant')]),
      routeCondition(infra('reference-grant'), G, cond('ResolvedRefs', 'False', 'RefNotPermitted')),
      answers(G, '/', 500, { backend: 'web-backend', namespace: WEB }),
    ],
  },
  {
    name: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
    manifests: ['tests/httproute-partially-invalid-via-invalid-reference-grant.yaml'],
    steps: [
      accepted(G, [infra('invalid-reference-grant')]),
      routeCondition(infra('invalid-reference-grant'), G, cond('ResolvedRefs', 'False', 'RefNotPermitted')),
      answers(G, '/v2', 500),
      reaches(G, '/', 'app-backend-v1', APP),
    ],
  },
  {
    name: 'HTTPRouteReferenceGrant',
    manifests: ['tests/httproute-reference-grant.yaml'],
    steps: [...acceptedAndResolved(G, [infra('reference-grant')]), reaches(G, '/', 'web-backend', WEB)],
    mutations: [
      {
        label: 'the ReferenceGrant is deleted',
        apply: (o) => o.remove('ReferenceGrant', `${WEB}/reference-grant`),
        steps: [answers(G, '/', 500)],
      },
    ],
  },
  {
    name: 'HTTPRouteNoBackendRefs',
    manifests: ['tests/httproute-omitted-backendrefs.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('omitted-backendrefs')]),
      reaches(G, '/forward', V1),
      answers(G, '/omitted-no-forward', 500),
      answers(G, '/empty-no-forward', 500),
    ],
  },
  {
    name: 'HTTPRouteDisallowedKind',
    manifests: ['tests/httproute-disallowed-kind.yaml'],
    steps: [
      { kind: 'namespace-ready', namespaces: [INFRA] },
      resolvedRefs(infra('disallowed-kind'), infra('tlsroutes-only')),
      ...rejected(infra('disallowed-kind'), infra('tlsroutes-only'), 'NotAllowedByListeners'),
    ],
  },
];

/** HTTPRoute conformance tests about listeners and backends: HTTPS, misdirected requests, Service types, protocols, generations. */
export const httpRouteListenerTests: ConformanceTest[] = [
  {
    name: 'HTTPRouteHTTPSListener',
    manifests: ['tests/httproute-https-listener.yaml'],
    steps: (() => {
      const gw = infra('same-namespace-with-https-listener');
      const https = { scheme: 'https' as const };
      return [
        ...acceptedAndResolved(gw, [infra('httproute-https-test'), infra('httproute-https-test-no-hostname')]),
        reaches(gw, '/', V1, INFRA, { host: 'example.org', ...https }),
        answers(gw, '/', 404, { host: 'unknown-example.org', namespace: INFRA, ...https }),
        reaches(gw, '/', V2, INFRA, { host: 'second-example.org', ...https }),
      ];
    })(),
  },
  {
    name: 'HTTPRouteHTTPSListenerDetectMisdirectedRequests',
    manifests: ['tests/httproute-https-listener-detect-misdirected-requests.yaml'],
    steps: (() => {
      const gw = infra('same-namespace-with-https-listener');
      const routes = [1, 2, 3, 4].map((i) => infra(`https-listener-detect-misdirected-requests-test-${i}`));
      const rows: Array<[string, string, number, string?]> = [
        ['example.org', 'example.org', 200, V1],
        ['example.org', 'second-example.org', 421],
        ['example.org', 'unknown-example.org', 404],
        ['second-example.org', 'second-example.org', 200, V2],
        ['second-example.org', 'example.org', 421],
        ['second-example.org', 'unknown-example.org', 421],
        ['third-example.wildcard.org', 'third-example.wildcard.org', 200, V3],
        ['third-example.wildcard.org', 'fith-example.wildcard.org', 200, V3],
        ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421],
        ['third-example.wildcard.org', 'second-example.org', 421],
        ['third-example.wildcard.org', 'unknown-example.org', 421],
        ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 200, V1],
        ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
        ['unknown-example.org', 'example.org', 200, V1],
        ['unknown-example.org', 'unknown-example.org', 404],
      ];
      return [
        ...acceptedAndResolved(gw, routes),
        ...rows.map(([sni, host, status, backend]) =>
          backend
            ? reaches(gw, '/detect-misdirected-requests', backend, INFRA, { host, sni, scheme: 'https', label: `SNI ${sni}` })
            : answers(gw, '/detect-misdirected-requests', status, { host, sni, scheme: 'https', namespace: INFRA, label: `SNI ${sni}` }),
        ),
      ];
    })(),
  },
  {
    name: 'HTTPRouteServiceTypes',
    manifests: ['tests/httproute-service-types.yaml'],
    // The test fills the manual EndpointSlices with infra-backend-v1's pod IPs at run time; what explain can
    // check is that each path reaches the Service the route names, whose endpoints those pods then are.
    steps: [
      ...acceptedAndResolved(G, [infra('service-types')]),
      ...['manual-endpointslices', 'headless-manual-endpointslices', 'headless'].map((svc) =>
        reaches(G, `/${svc}`, svc, INFRA, { label: `Service ${svc} (pods of ${V1})` }),
      ),
    ],
  },
  {
    name: 'HTTPRouteBackendProtocolH2C',
    manifests: ['tests/httproute-backend-protocol-h2c.yaml'],
    steps: [accepted(G, [infra('backend-protocol-h2c')]), reaches(G, '/', V1)],
  },
  {
    name: 'HTTPRouteBackendProtocolWebSocket',
    manifests: ['tests/httproute-backend-protocol-websocket.yaml'],
    steps: [accepted(G, [infra('backend-protocol-ws')]), reaches(G, '/ws', V1, INFRA, { upgrade: 'websocket', headers: {} })],
  },
  {
    name: 'HTTPRouteObservedGenerationBump',
    manifests: ['tests/httproute-observed-generation-bump.yaml'],
    steps: [{ kind: 'namespace-ready', namespaces: [INFRA] }, routeCondition(infra('observed-generation-bump'), G, cond('Accepted', 'True'))],
    mutations: [
      {
        label: 'rules[0].backendRefs[0] is changed to infra-backend-v2 (generation 2)',
        apply: (o) => {
          const route = o.find('HTTPRoute', infra('observed-generation-bump'));
          const spec = route.spec as { rules: Array<{ backendRefs: Array<{ name: string }> }> };
          spec.rules[0]!.backendRefs[0]!.name = 'infra-backend-v2';
          route.metadata.generation = 2;
        },
        steps: [routeCondition(infra('observed-generation-bump'), G, cond('Accepted', 'True')), resolvedRefs(infra('observed-generation-bump'), G)],
      },
    ],
  },
];
