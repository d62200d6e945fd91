// The conformance request checks on hand-made fleets: they must fail where
// the upstream suite would fail, not only pass where it passes.
import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import { cluster, fleet, httpListener, routeTable, vhost } from '@switchyard/explain/test/builders.js';
import { checkRequest, type RequestContext } from './request-checks.js';
import type { HttpExpectation } from './types.js';

const GW = 'ns/gw';

function ctxOf(routes: Route[], extraClusters: EnvoyResources['clusters'] = []): RequestContext {
  const res = fleet({
    listeners: [httpListener(80)],
    routes: [routeTable('http-80', [vhost('all', ['*'], routes)])],
    clusters: [
      cluster('ns/v1', { namespace: 'ns', name: 'infra-backend-v1', port: 8080 }),
      cluster('ns/v2', { namespace: 'ns', name: 'infra-backend-v2', port: 8080 }),
      ...extraClusters,
    ],
  });
  const gateway: KubeObject = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { namespace: 'ns', name: 'gw' },
    spec: { listeners: [{ name: 'http', port: 80 }] },
  };
  return { fleets: new Map([[GW, res]]), gateway: (nn) => (nn === GW ? gateway : undefined), configMapData: () => undefined };
}

const http = (x: Omit<HttpExpectation, 'kind' | 'gateway'>): HttpExpectation => ({ kind: 'http', gateway: GW, ...x });

describe('conformance request checks', () => {
  it('compare the backend, its namespace and the path it receives', () => {
    const ctx = ctxOf([{ match: { prefix: '/p' }, route: { cluster: 'ns/v1', prefix_rewrite: '/q' } }]);
    expect(checkRequest(ctx, http({ request: { path: '/p/x' }, backend: 'infra-backend-v1', namespace: 'ns', expectedRequest: { path: '/q/x' } }))).toEqual([]);
    expect(checkRequest(ctx, http({ request: { path: '/p/x' }, backend: 'infra-backend-v2', namespace: 'ns', expectedRequest: { path: '/q/x' } }))).toEqual([
      'expected backend infra-backend-v2, got infra-backend-v1',
    ]);
    // Without an ExpectedRequest the path must arrive unchanged, as in the suite.
    expect(checkRequest(ctx, http({ request: { path: '/p/x' }, backend: 'infra-backend-v1', namespace: 'ns' }))).toEqual([
      'expected path /p/x, backend got /q/x',
    ]);
    expect(checkRequest(ctx, http({ request: { path: '/other' }, response: { statusCodes: [404] } }))).toEqual([]);
  });

  it('apply the suite redirect rules: an unset port accepts none or the scheme default, nothing else', () => {
    const to = (port: number | undefined): Route => ({
      match: { prefix: '/' },
      redirect: { host_redirect: 'example.org', response_code: 'FOUND', ...(port ? { port_redirect: port } : {}) },
    });
    const expectation = http({ request: { path: '/r' }, response: { statusCodes: [302] }, redirect: { host: 'example.org' } });
    expect(checkRequest(ctxOf([to(undefined)]), expectation)).toEqual([]);
    expect(checkRequest(ctxOf([to(80)]), expectation)).toEqual([]);
    expect(checkRequest(ctxOf([to(8080)]), expectation)).toEqual(['for http, expected redirect port 80 or none, got 8080 (http://example.org:8080/r)']);
    expect(checkRequest(ctxOf([to(8080)]), http({ ...expectation, redirect: { host: 'example.org', port: '8080' } }))).toEqual([]);
  });

  it('require every weighted share to satisfy the expectation, and weights to match exactly', () => {
    const split: Route = {
      match: { prefix: '/' },
      route: {
        weighted_clusters: {
          clusters: [
            { name: 'ns/v1', weight: { value: 7 } },
            { name: 'switchyard_invalid_backend', weight: { value: 3 } },
          ],
        },
        cluster_not_found_response_code: 'INTERNAL_SERVER_ERROR',
      },
    };
    const ctx = ctxOf([split]);
    expect(checkRequest(ctx, http({ request: { path: '/' }, namespace: 'ns' }))).toEqual([
      '[500 from Envoy (invalid-backend (switchyard_invalid_backend))] expected status 200, got 500 from Envoy (invalid-backend (switchyard_invalid_backend))',
    ]);
    expect(checkRequest(ctx, { kind: 'weights', gateway: GW, request: { path: '/' }, namespace: 'ns', weights: { 'infra-backend-v1': 0.7 } })).toEqual([
      '30% of requests get 500 from Envoy',
    ]);
  });

  it('model retries: a retriable failure within the attempts becomes a 200, others pass through', () => {
    const ctx = ctxOf([
      {
        match: { prefix: '/' },
        route: { cluster: 'ns/v1', retry_policy: { retry_on: 'retriable-status-codes', retriable_status_codes: [500], num_retries: { value: 2 } } },
      },
    ]);
    const attempt = (code: number, succeedAfter: number, want: number) =>
      checkRequest(
        ctx,
        http({
          request: { path: '/' },
          backend: 'infra-backend-v1',
          namespace: 'ns',
          backendFailure: { code, succeedAfter },
          response: { statusCodes: [want] },
        }),
      );
    expect(attempt(500, 2, 200)).toEqual([]);
    expect(attempt(500, 3, 500)).toEqual([]);
    expect(attempt(503, 1, 503)).toEqual([]);
    expect(attempt(503, 1, 200)).toEqual(['expected status 200, got 503 from ns/infra-backend-v1']);
  });
});
