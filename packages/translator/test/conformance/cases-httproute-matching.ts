// HTTPRoute conformance tests about matching: paths, headers, query
// parameters, methods, precedence, hostnames and ports.
import type { ConformanceTest } from './types.js';
import { accepted, acceptedAndResolved, answers, cond, infra, INFRA, reaches, SAME_NAMESPACE, V1, V2, V3, WEB } from './dsl.js';

const G = SAME_NAMESPACE;

export const httpRouteMatchingTests: ConformanceTest[] = [
  {
    name: 'HTTPRouteSimpleSameNamespace',
    manifests: ['tests/httproute-simple-same-namespace.yaml'],
    steps: [...acceptedAndResolved(G, [infra('gateway-conformance-infra-test')]), reaches(G, '/', V1)],
  },
  {
    name: 'HTTPRouteMatching',
    manifests: ['tests/httproute-matching.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('matching')]),
      reaches(G, '/', V1),
      reaches(G, '/example', V1),
      reaches(G, '/', V1, INFRA, { headers: { Version: 'one' } }),
      reaches(G, '/v2', V2),
      reaches(G, '/v2/example', V2),
      reaches(G, '/', V2, INFRA, { headers: { Version: 'two' } }),
      reaches(G, '/v2/', V2),
      reaches(G, '/v2example', V1),
      reaches(G, '/foo/v2/example', V1),
    ],
  },
  {
    name: 'HTTPRouteExactPathMatching',
    manifests: ['tests/httproute-exact-path-matching.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('exact-matching')]),
      reaches(G, '/one', V1),
      reaches(G, '/two', V2),
      answers(G, '/', 404),
      answers(G, '/one/example', 404),
      answers(G, '/two/', 404),
      answers(G, '/Two', 404),
    ],
  },
  {
    name: 'HTTPRouteHeaderMatching',
    manifests: ['tests/httproute-header-matching.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('header-matching')]),
      reaches(G, '/', V1, INFRA, { headers: { Version: 'one' } }),
      reaches(G, '/', V2, INFRA, { headers: { Version: 'two' } }),
      reaches(G, '/', V1, INFRA, { headers: { Version: 'two', Color: 'orange' } }),
      reaches(G, '/', V2, INFRA, { headers: { Version: 'two', Color: 'blue' } }),
      answers(G, '/', 404, { headers: { Color: 'orange' } }),
      answers(G, '/', 404, { headers: { 'Some-Other-Header': 'one' } }),
      reaches(G, '/', V1, INFRA, { headers: { Color: 'blue' } }),
      reaches(G, '/', V1, INFRA, { headers: { Color: 'green' } }),
      reaches(G, '/', V2, INFRA, { headers: { Color: 'red' } }),
      reaches(G, '/', V2, INFRA, { headers: { Color: 'yellow' } }),
      answers(G, '/', 404, { headers: { Color: 'purple' } }),
    ],
  },
  {
    name: 'HTTPRouteQueryParamMatching',
    manifests: ['tests/httproute-query-param-matching.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('query-param-matching')]),
      reaches(G, '/?animal=whale', V1),
      reaches(G, '/?animal=dolphin', V2),
      reaches(G, '/?animal=dolphin&color=blue', V3),
      reaches(G, '/?ANIMAL=Whale', V3),
      reaches(G, '/?animal=whale&otherparam=irrelevant', V1),
      reaches(G, '/?animal=dolphin&color=yellow', V2),
      answers(G, '/?color=blue', 404),
      answers(G, '/?animal=dog', 404),
      answers(G, '/?animal=whaledolphin', 404),
      answers(G, '/', 404),
      reaches(G, '/path1?animal=whale', V1),
      reaches(G, '/?animal=whale', V2, INFRA, { headers: { version: 'one' } }),
      reaches(G, '/path2?animal=whale', V3, INFRA, { headers: { version: 'two' } }),
      reaches(G, '/path3?animal=shark', V1),
      reaches(G, '/path4?animal=kraken', V1, INFRA, { headers: { version: 'three' } }),
      answers(G, '/?animal=shark', 404),
      answers(G, '/path4?animal=kraken', 404),
      reaches(G, '/path5?animal=hydra', V1),
      reaches(G, '/?animal=hydra', V3, INFRA, { headers: { version: 'four' } }),
    ],
  },
  {
    name: 'HTTPRouteMethodMatching',
    manifests: ['tests/httproute-method-matching.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('method-matching')]),
      reaches(G, '/', V1, INFRA, { method: 'POST' }),
      reaches(G, '/', V2, INFRA, { method: 'GET' }),
      answers(G, '/', 404, { method: 'HEAD' }),
      reaches(G, '/path1', V1, INFRA, { method: 'GET' }),
      reaches(G, '/', V2, INFRA, { method: 'PUT', headers: { version: 'one' } }),
      reaches(G, '/path2', V3, INFRA, { method: 'POST', headers: { version: 'two' } }),
      reaches(G, '/path3', V1, INFRA, { method: 'PATCH' }),
      reaches(G, '/path4', V1, INFRA, { method: 'DELETE', headers: { version: 'three' } }),
      answers(G, '/', 404, { method: 'PUT' }),
      answers(G, '/path4', 404, { method: 'DELETE' }),
      reaches(G, '/path5', V1, INFRA, { method: 'PATCH' }),
      reaches(G, '/', V2, INFRA, { method: 'PATCH', headers: { version: 'four' } }),
    ],
  },
  {
    name: 'HTTPRoutePathMatchOrder',
    manifests: ['tests/httproute-path-match-order.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('path-matching-order')]),
      reaches(G, '/match/exact/one', V3),
      reaches(G, '/match/exact', V2),
      reaches(G, '/match', V1),
      reaches(G, '/match/prefix/one/any', V2),
      reaches(G, '/match/prefix/any', V1),
      reaches(G, '/match/any', V3),
    ],
  },
  {
    name: 'HTTPRouteMatchingAcrossRoutes',
    manifests: ['tests/httproute-matching-across-routes.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('matching-part1'), infra('matching-part2')]),
      reaches(G, '/', V1, INFRA, { host: 'example.com' }),
      reaches(G, '/example', V1, INFRA, { host: 'example.com' }),
      reaches(G, '/example', V1, INFRA, { host: 'example.net' }),
      reaches(G, '/example', V1, INFRA, { host: 'example.com', headers: { Version: 'one' } }),
      reaches(G, '/v2', V2, INFRA, { host: 'example.com' }),
      reaches(G, '/v2', V1, INFRA, { host: 'example.net' }),
      reaches(G, '/v2/example', V2, INFRA, { host: 'example.com' }),
      reaches(G, '/', V2, INFRA, { host: 'example.com', headers: { Version: 'two' } }),
    ],
  },
  {
    name: 'HTTPRouteCrossNamespace',
    manifests: ['tests/httproute-cross-namespace.yaml'],
    steps: [...acceptedAndResolved(infra('backend-namespaces'), [`${WEB}/cross-namespace`]), reaches(infra('backend-namespaces'), '/', 'web-backend', WEB)],
  },
  {
    name: 'HTTPRouteHostnameIntersection',
    manifests: ['tests/httproute-hostname-intersection.yaml'],
    steps: (() => {
      const gw = infra('httproute-hostname-intersection');
      const all = infra('httproute-hostname-intersection-all');
      const routes = [
        'specific-host-matches-listener-specific-host',
        'specific-host-matches-listener-wildcard-host',
        'wildcard-host-matches-listener-specific-host',
        'wildcard-host-matches-listener-wildcard-host',
      ].map(infra);
      const ready = [cond('Accepted', 'True'), cond('ResolvedRefs', 'True')];
      return [
        { kind: 'namespace-ready' as const, namespaces: [INFRA] },
        ...acceptedAndResolved(gw, routes),
        reaches(gw, '/s1', V1, INFRA, { host: 'very.specific.com' }),
        reaches(gw, '/s1', V1, INFRA, { host: 'very.specific.com:1234' }),
        answers(gw, '/s1', 404, { host: 'non.matching.com' }),
        answers(gw, '/s1', 404, { host: 'foo.nonmatchingwildcard.io' }),
        answers(gw, '/s1', 404, { host: 'foo.wildcard.io' }),
        answers(gw, '/non-matching-prefix', 404, { host: 'very.specific.com' }),
        reaches(gw, '/s2', V2, INFRA, { host: 'foo.wildcard.io' }),
        reaches(gw, '/s2', V2, INFRA, { host: 'bar.wildcard.io' }),
        reaches(gw, '/s2', V2, INFRA, { host: 'foo.bar.wildcard.io' }),
        answers(gw, '/s2', 404, { host: 'non.matching.com' }),
        answers(gw, '/s2', 404, { host: 'wildcard.io' }),
        answers(gw, '/s2', 404, { host: 'very.specific.com' }),
        answers(gw, '/non-matching-prefix', 404, { host: 'foo.wildcard.io' }),
        reaches(gw, '/s3', V3, INFRA, { host: 'very.specific.com' }),
        answers(gw, '/s3', 404, { host: 'non.matching.com' }),
        answers(gw, '/s3', 404, { host: 'foo.specific.com' }),
        answers(gw, '/s3', 404, { host: 'foo.wildcard.io' }),
        answers(gw, '/non-matching-prefix', 404, { host: 'very.specific.com' }),
        reaches(gw, '/s4', V1, INFRA, { host: 'foo.anotherwildcard.io' }),
        reaches(gw, '/s4', V1, INFRA, { host: 'bar.anotherwildcard.io' }),
        reaches(gw, '/s4', V1, INFRA, { host: 'foo.bar.anotherwildcard.io' }),
        answers(gw, '/s4', 404, { host: 'anotherwildcard.io' }),
        answers(gw, '/s4', 404, { host: 'foo.wildcard.io' }),
        answers(gw, '/s4', 404, { host: 'very.specific.com' }),
        answers(gw, '/non-matching-prefix', 404, { host: 'foo.anotherwildcard.io' }),
        // HTTPRoutes that do not intersect with listener hostnames.
        accepted(gw, []),
        {
          kind: 'route-parents' as const,
          route: infra('no-intersecting-hosts'),
          parents: [{ gateway: gw, conditions: [cond('Accepted', 'False', 'NoMatchingListenerHostname')] }],
          namespaceRequired: true,
        },
        answers(gw, '/s5', 404, { host: 'specific.but.wrong.com' }),
        answers(gw, '/s5', 404, { host: 'wildcard.io' }),
        // HTTPRoutes have to be counted in AttachedRoutes only if they are Accepted.
        {
          kind: 'gateway-listeners' as const,
          gateway: gw,
          listeners: [
            { name: 'listener-1', supportedKinds: ['HTTPRoute'], attachedRoutes: 2, conditions: ready },
            { name: 'listener-2', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: ready },
            { name: 'listener-3', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: ready },
          ],
        },
        // HTTPRoutes intersect with an unspecified hostname listener.
        ...acceptedAndResolved(all, [infra('httproute-hostname-intersection-all')]),
        reaches(all, '/', V2, INFRA, { host: 'first.com' }),
        reaches(all, '/', V2, INFRA, { host: 'sub.first.com' }),
        reaches(all, '/', V2, INFRA, { host: 'second.com' }),
        reaches(all, '/', V2, INFRA, { host: 'sub.second.com' }),
        answers(all, '/', 404, { host: 'third.com', namespace: INFRA }),
        answers(all, '/', 404, { host: 'sub.third.com', namespace: INFRA }),
      ];
    })(),
  },
  {
    name: 'HTTPRouteListenerHostnameMatching',
    manifests: ['tests/httproute-listener-hostname-matching.yaml'],
    steps: (() => {
      const gw = infra('httproute-listener-hostname-matching');
      return [
        { kind: 'namespace-ready' as const, namespaces: [INFRA] },
        ...acceptedAndResolved(gw, [infra('backend-v1')], { listeners: ['listener-1'] }),
        ...acceptedAndResolved(gw, [infra('backend-v2')], { listeners: ['listener-2'] }),
        ...acceptedAndResolved(gw, [infra('backend-v3')], { listeners: ['listener-3', 'listener-4'] }),
        reaches(gw, '/', V1, INFRA, { host: 'bar.com', listener: 'listener-3' }),
        reaches(gw, '/', V2, INFRA, { host: 'foo.bar.com', listener: 'listener-3' }),
        reaches(gw, '/', V3, INFRA, { host: 'baz.bar.com', listener: 'listener-3' }),
        reaches(gw, '/', V3, INFRA, { host: 'boo.bar.com', listener: 'listener-3' }),
        reaches(gw, '/', V3, INFRA, { host: 'multiple.prefixes.bar.com', listener: 'listener-3' }),
        reaches(gw, '/', V3, INFRA, { host: 'multiple.prefixes.foo.com', listener: 'listener-3' }),
        answers(gw, '/', 404, { host: 'foo.com', listener: 'listener-3' }),
        answers(gw, '/', 404, { host: 'no.matching.host', listener: 'listener-3' }),
      ];
    })(),
  },
  {
    name: 'HTTPRouteListenerPortMatching',
    manifests: ['tests/httproute-listener-port-matching.yaml'],
    steps: (() => {
      const gw = infra('httproute-listener-port-matching');
      return [
        { kind: 'namespace-ready' as const, namespaces: [INFRA] },
        ...acceptedAndResolved(gw, [infra('backend-v1')], { listeners: ['listener-1'] }),
        ...acceptedAndResolved(gw, [infra('backend-v2')], { listeners: ['listener-2'] }),
        ...acceptedAndResolved(gw, [infra('backend-v3')], { listeners: ['listener-4'] }),
        reaches(gw, '/', V1, INFRA, { host: 'foo.com', listener: 'listener-1' }),
        reaches(gw, '/', V2, INFRA, { host: 'foo.com:8080', listener: 'listener-2' }),
        reaches(gw, '/', V2, INFRA, { host: 'bar.com:8080', listener: 'listener-2' }),
        reaches(gw, '/', V3, INFRA, { host: 'foo.com:8090', listener: 'listener-4' }),
        answers(gw, '/', 404, { host: 'bar.com:8090', listener: 'listener-4' }),
      ];
    })(),
  },
  {
    name: 'HTTPRouteMultipleGateways',
    manifests: ['tests/httproute-multiple-gateways.yaml'],
    steps: [
      accepted(G, [infra('multiple-gateways-shared-route'), infra('same-namespace-dedicated-route')]),
      reaches(G, '/shared', V1),
      reaches(G, '/', V2),
      accepted(infra('all-namespaces'), [infra('multiple-gateways-shared-route'), infra('all-namespaces-dedicated-route')]),
      reaches(infra('all-namespaces'), '/shared', V1),
      reaches(infra('all-namespaces'), '/', V3),
    ],
  },
];
