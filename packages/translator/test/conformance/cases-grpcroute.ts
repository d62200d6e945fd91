// GRPCRoute conformance tests: method and header matching, listener
// hostnames, weights, named rules. Requests are unary calls to the echo
// service, i.e. HTTP/2 POSTs to /<package>.GrpcEcho/<Method>.
import type { ConformanceTest, GrpcExpectation } from './types.js';
import { accepted, infra, INFRA, SAME_NAMESPACE } from './dsl.js';

const G = SAME_NAMESPACE;
const GV1 = 'grpc-infra-backend-v1';
const GV2 = 'grpc-infra-backend-v2';
const GV3 = 'grpc-infra-backend-v3';

function rpc(gateway: string, method: GrpcExpectation['method'], backend: string | undefined, x: Partial<GrpcExpectation> = {}): GrpcExpectation {
  return { kind: 'grpc', gateway, method, ...(backend ? { backend, namespace: INFRA } : { code: 'UNIMPLEMENTED' }), ...x };
}

export const grpcRouteTests: ConformanceTest[] = [
  {
    name: 'GRPCExactMethodMatching',
    manifests: ['tests/grpcroute-exact-method-matching.yaml'],
    steps: [accepted(G, [infra('exact-matching')], { routeKind: 'GRPCRoute' }), rpc(G, 'Echo', GV1), rpc(G, 'EchoTwo', GV2), rpc(G, 'EchoThree', undefined)],
  },
  {
    name: 'GRPCRouteHeaderMatching',
    manifests: ['tests/grpcroute-header-matching.yaml'],
    steps: [
      accepted(G, [infra('grpc-header-matching')], { routeKind: 'GRPCRoute' }),
      ...(
        [
          [{ Version: 'one' }, GV1],
          [{ Version: 'two' }, GV2],
          [{ Version: 'two', Color: 'orange' }, GV1],
          [{ Version: 'two', Color: 'blue' }, GV2],
          [{ Color: 'orange' }, undefined],
          [{ 'Some-Other-Header': 'one' }, undefined],
          [{ Color: 'blue' }, GV1],
          [{ Color: 'green' }, GV1],
          [{ Color: 'red' }, GV2],
          [{ Color: 'yellow' }, GV2],
          [{ Color: 'purple' }, undefined],
        ] as Array<[Record<string, string>, string | undefined]>
      ).map(([metadata, backend]) => rpc(G, 'Echo', backend, { metadata })),
    ],
  },
  {
    name: 'GRPCRouteListenerHostnameMatching',
    manifests: ['tests/grpcroute-listener-hostname-matching.yaml'],
    steps: (() => {
      const gw = infra('grpcroute-listener-hostname-matching');
      return [
        { kind: 'namespace-ready' as const, namespaces: [INFRA] },
        accepted(gw, [infra('backend-v1')], { listeners: ['listener-1'], routeKind: 'GRPCRoute' }),
        accepted(gw, [infra('backend-v2')], { listeners: ['listener-2'], routeKind: 'GRPCRoute' }),
        accepted(gw, [infra('backend-v3')], { listeners: ['listener-3', 'listener-4'], routeKind: 'GRPCRoute' }),
        ...(
          [
            ['bar.com', GV1],
            ['foo.bar.com', GV2],
            ['baz.bar.com', GV3],
            ['boo.bar.com', GV3],
            ['multiple.prefixes.bar.com', GV3],
            ['multiple.prefixes.foo.com', GV3],
            ['foo.com', undefined],
            ['no.matching.host', undefined],
          ] as Array<[string, string | undefined]>
        ).map(([authority, backend]) => rpc(gw, 'Echo', backend, { authority, listener: 'listener-3' })),
      ];
    })(),
  },
  {
    name: 'GRPCRouteWeight',
    manifests: ['tests/grpcroute-weight.yaml'],
    steps: [
      accepted(G, [infra('weighted-backends')], { routeKind: 'GRPCRoute' }),
      { kind: 'grpc', gateway: G, method: 'Echo', namespace: INFRA },
      {
        kind: 'weights',
        gateway: G,
        grpc: true,
        request: { method: 'POST', path: '/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/Echo' },
        namespace: INFRA,
        weights: { [GV1]: 0.7, [GV2]: 0.3, [GV3]: 0 },
      },
    ],
  },
  {
    name: 'GRPCRouteRequestHeaderModifier',
    manifests: ['tests/grpcroute-request-header-modifier.yaml'],
    // The suite compares method, namespace and backend of each answer (grpc.compareResponse), not the headers.
    steps: (() => {
      const authority = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';
      const other = { 'Some-Other-Header': 'this-header-should-be-set' };
      return [
        accepted(G, [infra('grpc-request-header-modifier')], { routeKind: 'GRPCRoute' }),
        ...[
          other,
          { ...other, 'X-Header-Set': 'this-value-should-be-overwritten' },
          other,
          { ...other, 'X-Header-Add': 'this-value-should-be-appended' },
          { ...other, 'X-Header-Remove': 'val' },
        ].map((metadata) => rpc(G, 'Echo', GV1, { authority, metadata })),
        rpc(G, 'EchoTwo', GV2, { authority, metadata: { 'X-Header-Set-1': 'original', 'X-Header-Add-1': 'original' } }),
        rpc(G, 'EchoTwo', GV2, { authority, metadata: { 'X-Header-Remove-1': 'val', 'X-Header-Remove-2': 'val' } }),
      ];
    })(),
  },
  {
    name: 'GRPCRouteMultipleGateways',
    manifests: ['tests/grpcroute-multiple-gateways.yaml'],
    steps: (() => {
      const all = infra('all-namespaces');
      const shared = infra('multiple-gateways-shared-route');
      return [
        accepted(G, [shared, infra('same-namespace-dedicated-route')], { routeKind: 'GRPCRoute' }),
        rpc(G, 'Echo', GV1),
        rpc(G, 'EchoTwo', GV2),
        accepted(all, [shared, infra('all-namespaces-dedicated-route')], { routeKind: 'GRPCRoute' }),
        rpc(all, 'Echo', GV1),
        rpc(all, 'EchoTwo', GV3),
      ];
    })(),
  },
  {
    name: 'GRPCRouteNamedRule',
    manifests: ['tests/grpcroute-named-rule.yaml'],
    steps: [accepted(G, [infra('grpc-named-rules')], { routeKind: 'GRPCRoute' }), rpc(G, 'Echo', GV1), rpc(G, 'EchoTwo', GV2)],
  },
];
