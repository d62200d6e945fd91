// Gateway and GatewayClass conformance tests: listener isolation, invalid
// listeners and route kinds, TLS certificate references, listener changes,
// observed generations.
import type { ConformanceTest, ExpectedListener, Step } from './types.js';
import { acceptedAndResolved, answers, cond, infra, INFRA, reaches, routeCondition, V1 } from './dsl.js';

const READY = [cond('Accepted', 'True'), cond('ResolvedRefs', 'True')];

function listeners(gateway: string, ls: ExpectedListener[]): Step {
  return { kind: 'gateway-listeners', gateway, listeners: ls };
}

/** GatewayHTTPListenerIsolation's table: which path answers for which Host. */
function isolation(gateway: string): Step[] {
  const rows: Array<[string, string]> = [
    ['bar.com', '/empty-hostname'],
    ['bar.example.com', '/wildcard-example-com'],
    ['bar.foo.example.com', '/wildcard-foo-example-com'],
    ['abc.foo.example.com', '/abc-foo-example-com'],
  ];
  const paths = rows.map(([, p]) => p);
  return rows.flatMap(([host, served]) =>
    paths.map((path) =>
      path === served
        ? reaches(gateway, path, V1, INFRA, { host })
        : answers(gateway, path, 404, { host, ...(host === 'abc.foo.example.com' ? { namespace: INFRA } : {}) }),
    ),
  );
}

export const gatewayTests: ConformanceTest[] = [
  {
    name: 'GatewayHTTPListenerIsolation',
    manifests: ['tests/gateway-http-listener-isolation.yaml', 'tests/gateway-http-listener-isolation-with-hostname-intersection.yaml'],
    steps: [
      { kind: 'namespace-ready', namespaces: [INFRA] },
      ...acceptedAndResolved(
        infra('http-listener-isolation'),
        ['attaches-to-empty-hostname', 'attaches-to-wildcard-example-com', 'attaches-to-wildcard-foo-example-com', 'attaches-to-abc-foo-example-com'].map(
          infra,
        ),
      ),
      ...isolation(infra('http-listener-isolation')),
      ...acceptedAndResolved(
        infra('http-listener-isolation-with-hostname-intersection'),
        [
          'attaches-to-empty-hostname-with-hostname-intersection',
          'attaches-to-wildcard-example-com-with-hostname-intersection',
          'attaches-to-wildcard-foo-example-com-with-hostname-intersection',
          'attaches-to-abc-foo-example-com-with-hostname-intersection',
        ].map(infra),
      ),
      ...isolation(infra('http-listener-isolation-with-hostname-intersection')),
    ],
  },
  {
    name: 'GatewayListenerUnsupportedProtocol',
    manifests: ['tests/gateway-invalid-listeners-unsupported-protocol.yaml'],
    steps: [
      { kind: 'gateway-condition', gateway: infra('gateway-only-unsupported-protocols'), condition: cond('Accepted', 'False', 'ListenersNotValid') },
      listeners(infra('gateway-only-unsupported-protocols'), [
        { name: 'invalid', supportedKinds: [], attachedRoutes: 0, conditions: [cond('Accepted', 'False', 'UnsupportedProtocol')] },
      ]),
      { kind: 'gateway-condition', gateway: infra('gateway-supported-and-unsupported-protocols'), condition: cond('Accepted', 'True', 'ListenersNotValid') },
      listeners(infra('gateway-supported-and-unsupported-protocols'), [
        { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 0, conditions: [cond('Accepted', 'True', 'Accepted')] },
        { name: 'invalid', supportedKinds: [], attachedRoutes: 0, conditions: [cond('Accepted', 'False', 'UnsupportedProtocol')] },
      ]),
    ],
  },
  {
    name: 'GatewayInvalidParametersRef',
    manifests: ['tests/gateway-invalid-parameters-ref.yaml'],
    steps: [{ kind: 'gateway-condition', gateway: infra('gateway-invalid-parameters-ref'), condition: cond('Accepted', 'False', 'InvalidParameters') }],
  },
  {
    name: 'GatewayInvalidRouteKind',
    manifests: ['tests/gateway-invalid-route-kind.yaml'],
    steps: [
      listeners(infra('gateway-only-invalid-route-kind'), [
        { name: 'http', supportedKinds: [], attachedRoutes: 0, conditions: [cond('ResolvedRefs', 'False', 'InvalidRouteKinds')] },
      ]),
      listeners(infra('gateway-supported-and-invalid-route-kind'), [
        { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 0, conditions: [cond('ResolvedRefs', 'False', 'InvalidRouteKinds')] },
      ]),
    ],
  },
  {
    name: 'GatewayInvalidTLSConfiguration',
    manifests: ['tests/gateway-invalid-tls-configuration.yaml'],
    steps: [
      'gateway-certificate-nonexistent-secret',
      'gateway-certificate-unsupported-group',
      'gateway-certificate-unsupported-kind',
      'gateway-certificate-malformed-secret',
    ].map((g) =>
      listeners(infra(g), [
        { name: 'https', supportedKinds: ['HTTPRoute'], attachedRoutes: 0, conditions: [cond('ResolvedRefs', 'False', 'InvalidCertificateRef')] },
      ]),
    ),
  },
  {
    name: 'GatewayModifyListeners',
    manifests: ['tests/gateway-modify-listeners.yaml'],
    steps: [
      { kind: 'namespace-ready', namespaces: [INFRA] },
      { kind: 'gateway-condition', gateway: infra('gateway-add-listener'), condition: cond('Accepted', 'True') },
      { kind: 'gateway-condition', gateway: infra('gateway-remove-listener'), condition: cond('Accepted', 'True') },
    ],
    mutations: [
      {
        label: 'gateway-add-listener gains an http listener for data.test.com (generation 2)',
        apply: (o) => {
          const gw = o.find('Gateway', infra('gateway-add-listener'));
          (gw.spec as { listeners: unknown[] }).listeners.push({
            name: 'http',
            port: 80,
            protocol: 'HTTP',
            hostname: 'data.test.com',
            allowedRoutes: { namespaces: { from: 'All' } },
          });
          gw.metadata.generation = 2;
        },
        steps: [
          { kind: 'namespace-ready', namespaces: [INFRA] },
          listeners(infra('gateway-add-listener'), [
            { name: 'https', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: READY },
            { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: READY },
          ]),
        ],
      },
      {
        label: 'gateway-remove-listener keeps only its http listener (generation 2)',
        apply: (o) => {
          const gw = o.find('Gateway', infra('gateway-remove-listener'));
          const spec = gw.spec as { listeners: Array<{ name: string }> };
          spec.listeners = spec.listeners.filter((l) => l.name === 'http');
          gw.metadata.generation = 2;
        },
        steps: [
          { kind: 'namespace-ready', namespaces: [INFRA] },
          listeners(infra('gateway-remove-listener'), [{ name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: READY }]),
        ],
      },
    ],
  },
  {
    name: 'GatewayObservedGenerationBump',
    manifests: ['tests/gateway-observed-generation-bump.yaml'],
    steps: [{ kind: 'namespace-ready', namespaces: [INFRA] }],
    mutations: [
      {
        label: 'an alternate listener for foo.com is added (generation 2)',
        apply: (o) => {
          const gw = o.find('Gateway', infra('gateway-observed-generation-bump'));
          (gw.spec as { listeners: unknown[] }).listeners.push({
            name: 'alternate',
            hostname: 'foo.com',
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: 'All' } },
          });
          gw.metadata.generation = 2;
        },
        // NamespacesMustBeReady and GatewayMustHaveLatestConditions: every condition at generation 2.
        steps: [
          { kind: 'namespace-ready', namespaces: [INFRA] },
          { kind: 'gateway-condition', gateway: infra('gateway-observed-generation-bump'), condition: cond('Accepted', 'True') },
        ],
      },
    ],
  },
  {
    name: 'GatewayClassObservedGenerationBump',
    manifests: ['tests/gatewayclass-observed-generation-bump.yaml'],
    steps: [{ kind: 'gatewayclass-condition', gatewayClass: 'gatewayclass-observed-generation-bump', condition: cond('Accepted') }],
    mutations: [
      {
        label: 'spec.description is set (generation 2)',
        apply: (o) => {
          const gwc = o.find('GatewayClass', 'gatewayclass-observed-generation-bump');
          (gwc.spec as { description?: string }).description = 'new';
          gwc.metadata.generation = 2;
        },
        steps: [{ kind: 'gatewayclass-condition', gatewayClass: 'gatewayclass-observed-generation-bump', condition: cond('Accepted') }],
      },
    ],
  },
  ...(
    [
      ['GatewaySecretInvalidReferenceGrant', 'gateway-secret-invalid-reference-grant', false],
      ['GatewaySecretMissingReferenceGrant', 'gateway-secret-missing-reference-grant', false],
      ['GatewaySecretReferenceGrantAllInNamespace', 'gateway-secret-reference-grant-all-in-namespace', true],
      ['GatewaySecretReferenceGrantSpecific', 'gateway-secret-reference-grant-specific', true],
    ] as const
  ).map(([name, gateway, permitted]): ConformanceTest => ({
    name,
    manifests: [`tests/${gateway}.yaml`],
    steps: [
      listeners(infra(gateway), [
        {
          name: 'https',
          supportedKinds: ['HTTPRoute'],
          attachedRoutes: 0,
          conditions: permitted ? [cond('Programmed', 'True', 'Programmed'), cond('ResolvedRefs', 'True')] : [cond('ResolvedRefs', 'False', 'RefNotPermitted')],
        },
        // v1.7: RefNotPermitted also when the Secret does not exist (the grant is checked first).
        ...(name === 'GatewaySecretMissingReferenceGrant'
          ? [
              {
                name: 'https-nonexistent-secret',
                supportedKinds: ['HTTPRoute'],
                attachedRoutes: 0,
                conditions: [cond('ResolvedRefs', 'False', 'RefNotPermitted')],
              },
            ]
          : []),
      ]),
    ],
  })),
  {
    name: 'GatewayNameMaximumLength',
    manifests: ['tests/gateway-name-maximum-length.yaml'],
    // GatewayMustHaveLatestConditions: conditions at the latest generation, whatever their values.
    steps: [
      {
        kind: 'gateway-condition',
        gateway: infra(`gateway-name-maximum-length-${'a'.repeat(253 - 'gateway-name-maximum-length-'.length)}`),
        condition: cond('Accepted'),
      },
    ],
  },
  {
    name: 'GatewayWithAttachedRoutes',
    manifests: ['tests/gateway-with-attached-routes.yaml'],
    steps: [
      listeners(infra('gateway-with-one-attached-route'), [{ name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: READY }]),
      listeners(infra('gateway-with-two-attached-routes'), [{ name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 2, conditions: READY }]),
      routeCondition(infra('http-route-not-accepted'), infra('gateway-with-two-attached-routes'), cond('Accepted', 'False', 'NoMatchingListenerHostname')),
      listeners(infra('unresolved-gateway-with-one-attached-unresolved-route'), [
        { name: 'tls', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: [cond('Programmed', 'False'), cond('ResolvedRefs', 'False')] },
      ]),
      routeCondition(infra('http-route-4'), infra('unresolved-gateway-with-one-attached-unresolved-route'), cond('ResolvedRefs', 'False')),
    ],
  },
  {
    name: 'GatewayWithAttachedRoutesWithPort8080',
    manifests: ['tests/gateway-with-attached-routes-with-port-8080.yaml'],
    steps: [
      listeners(infra('gateway-with-two-listeners-and-one-attached-route'), [
        { name: 'http-unattached', supportedKinds: ['HTTPRoute'], attachedRoutes: 0, conditions: READY },
        { name: 'http', supportedKinds: ['HTTPRoute'], attachedRoutes: 1, conditions: READY },
      ]),
    ],
  },
];
