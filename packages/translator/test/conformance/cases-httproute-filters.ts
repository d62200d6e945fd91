// HTTPRoute conformance tests about filters and rule options: redirects,
// rewrites, header modifiers, mirrors, timeouts, retries, weights, names.
import type { ConformanceTest, HttpExpectation, Step } from './types.js';
import {
  accepted,
  acceptedAndResolved,
  answers,
  cond,
  infra,
  INFRA,
  reaches,
  redirects,
  resolvedRefs,
  routeCondition,
  SAME_NAMESPACE,
  V1,
  V2,
  V3,
} from './dsl.js';

const G = SAME_NAMESPACE;

/** The header changes several tests pair with another filter. */
const MODIFY_HEADERS = {
  headers: { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1' },
  expected: { 'X-Header-Add': 'header-val-1', 'X-Header-Add-Append': 'append-val-1,header-val-2', 'X-Header-Set': 'set-overwrites-values' },
  absent: ['X-Header-Remove'],
};

function redirectTest(name: string, route: string, path: string, status: number, method?: string): ConformanceTest {
  return {
    name,
    manifests: [`tests/httproute-${route}.yaml`],
    steps: [...acceptedAndResolved(G, [infra(route)]), redirects(G, path, status, { path }, method ? { method } : {})],
  };
}

/** HTTPRouteRedirectPortAndScheme, one listener's table. */
function portAndScheme(gateway: string, scheme: 'http' | 'https', host: string | undefined, rows: Array<[string, string, string]>): Step[] {
  return rows.map(([path, s, port]) =>
    redirects(gateway, path, 302, { scheme: s, host: 'example.org', ...(port ? { port } : {}) }, { scheme, ...(host ? { host } : {}) }),
  );
}

export const httpRouteFilterTests: ConformanceTest[] = [
  redirectTest('HTTPRoute303Redirect', '303-redirect', '/see-other', 303, 'POST'),
  redirectTest('HTTPRoute307Redirect', '307-redirect', '/temporary', 307),
  redirectTest('HTTPRoute308Redirect', '308-redirect', '/permanent', 308),
  {
    name: 'HTTPRouteRedirectHostAndStatus',
    manifests: ['tests/httproute-redirect-host-and-status.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('redirect-host-and-status')]),
      redirects(G, '/hostname-redirect', 302, { host: 'example.org' }),
      redirects(G, '/host-and-status', 301, { host: 'example.org' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectPath',
    manifests: ['tests/httproute-redirect-path.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('redirect-path')]),
      redirects(G, '/original-prefix/lemon', 302, { path: '/replacement-prefix/lemon' }),
      redirects(G, '/full/path/original', 302, { path: '/full-path-replacement' }),
      redirects(G, '/path-and-host', 302, { host: 'example.org', path: '/replacement-prefix' }),
      redirects(G, '/path-and-status', 301, { path: '/replacement-prefix' }),
      redirects(G, '/full-path-and-host', 302, { host: 'example.org', path: '/replacement-full' }),
      redirects(G, '/full-path-and-status', 301, { path: '/replacement-full' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectPort',
    manifests: ['tests/httproute-redirect-port.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('redirect-port')]),
      redirects(G, '/port', 302, { port: '8083' }),
      redirects(G, '/port-and-host', 302, { host: 'example.org', port: '8083' }),
      redirects(G, '/port-and-status', 301, { port: '8083' }),
      redirects(G, '/port-and-host-and-status', 302, { port: '8083', host: 'example.org' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectScheme',
    manifests: ['tests/httproute-redirect-scheme.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('redirect-scheme')]),
      redirects(G, '/scheme', 302, { scheme: 'https' }),
      redirects(G, '/scheme-and-host', 302, { host: 'example.org', scheme: 'https' }),
      redirects(G, '/scheme-and-status', 301, { scheme: 'https' }),
      redirects(G, '/scheme-and-host-and-status', 302, { scheme: 'https', host: 'example.org' }),
    ],
  },
  {
    name: 'HTTPRouteRedirectPortAndScheme',
    manifests: ['tests/httproute-redirect-port-and-scheme.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('http-route-for-listener-on-port-80')]),
      ...acceptedAndResolved(infra('same-namespace-with-http-listener-on-8080'), [infra('http-route-for-listener-on-port-8080')]),
      ...acceptedAndResolved(infra('same-namespace-with-https-listener'), [infra('http-route-for-listener-on-port-443')]),
      ...portAndScheme(G, 'http', undefined, [
        ['/scheme-nil-and-port-nil', 'http', ''],
        ['/scheme-nil-and-port-80', 'http', ''],
        ['/scheme-nil-and-port-8080', 'http', '8080'],
        ['/scheme-https-and-port-nil', 'https', ''],
        ['/scheme-https-and-port-443', 'https', ''],
        ['/scheme-https-and-port-8443', 'https', '8443'],
      ]),
      ...portAndScheme(infra('same-namespace-with-http-listener-on-8080'), 'http', undefined, [
        ['/scheme-nil-and-port-nil', 'http', '8080'],
        ['/scheme-nil-and-port-80', 'http', ''],
        ['/scheme-https-and-port-nil', 'https', ''],
      ]),
      ...portAndScheme(infra('same-namespace-with-https-listener'), 'https', 'example.org', [
        ['/scheme-nil-and-port-nil', 'https', ''],
        ['/scheme-nil-and-port-443', 'https', ''],
        ['/scheme-nil-and-port-8443', 'https', '8443'],
        ['/scheme-http-and-port-nil', 'http', ''],
        ['/scheme-http-and-port-80', 'http', ''],
        ['/scheme-http-and-port-8080', 'http', '8080'],
      ]),
    ],
  },
  {
    name: 'HTTPRouteRewriteHost',
    manifests: ['tests/httproute-rewrite-host.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('rewrite-host')]),
      reaches(G, '/one', V1, INFRA, { host: 'rewrite.example', expectedRequest: { path: '/one', host: 'one.example.org' } }),
      reaches(G, '/two', V2, INFRA, { host: 'rewrite.example', expectedRequest: { path: '/two', host: 'example.org' } }),
      reaches(G, '/rewrite-host-and-modify-headers', V2, INFRA, {
        host: 'rewrite.example',
        headers: MODIFY_HEADERS.headers,
        expectedRequest: {
          path: '/rewrite-host-and-modify-headers',
          host: 'test.example.org',
          headers: MODIFY_HEADERS.expected,
          absentHeaders: MODIFY_HEADERS.absent,
        },
      }),
    ],
  },
  {
    name: 'HTTPRouteRewritePath',
    manifests: ['tests/httproute-rewrite-path.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('rewrite-path')]),
      reaches(G, '/prefix/one/two', V1, INFRA, { expectedRequest: { path: '/one/two' } }),
      reaches(G, '/strip-prefix/three', V1, INFRA, { expectedRequest: { path: '/three' } }),
      reaches(G, '/strip-prefix', V1, INFRA, { expectedRequest: { path: '/' } }),
      reaches(G, '/full/one/two', V1, INFRA, { expectedRequest: { path: '/one' } }),
      reaches(G, '/full/rewrite-path-and-modify-headers/test', V1, INFRA, {
        headers: { ...MODIFY_HEADERS.headers, 'X-Header-Set': 'set-val' },
        expectedRequest: { path: '/test', headers: MODIFY_HEADERS.expected, absentHeaders: MODIFY_HEADERS.absent },
      }),
      reaches(G, '/prefix/rewrite-path-and-modify-headers/one', V1, INFRA, {
        headers: { ...MODIFY_HEADERS.headers, 'X-Header-Set': 'set-val' },
        expectedRequest: { path: '/prefix/one', headers: MODIFY_HEADERS.expected, absentHeaders: MODIFY_HEADERS.absent },
      }),
    ],
  },
  ...(['HTTPRouteRequestHeaderModifier', 'HTTPRouteBackendRequestHeaderModifier'] as const).map((name): ConformanceTest => ({
    name,
    manifests: [
      name === 'HTTPRouteRequestHeaderModifier' ? 'tests/httproute-request-header-modifier.yaml' : 'tests/httproute-request-header-modifier-backend.yaml',
    ],
    steps: [
      ...acceptedAndResolved(G, [infra('request-header-modifier')]),
      reaches(G, '/set', V1, INFRA, {
        headers: { 'Some-Other-Header': 'val' },
        expectedRequest: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      }),
      reaches(G, '/set', V1, INFRA, {
        headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
        expectedRequest: { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      }),
      reaches(G, '/add', V1, INFRA, {
        headers: { 'Some-Other-Header': 'val' },
        expectedRequest: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' } },
      }),
      reaches(G, '/add', V1, INFRA, {
        headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
        expectedRequest: { path: '/add', headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' } },
      }),
      reaches(G, '/remove', V1, INFRA, { headers: { 'X-Header-Remove': 'val' }, expectedRequest: { path: '/remove', absentHeaders: ['X-Header-Remove'] } }),
      reaches(G, '/multiple', V1, INFRA, {
        headers: { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val' },
        expectedRequest: {
          path: '/multiple',
          headers: {
            'X-Header-Set-1': 'header-set-1',
            'X-Header-Set-2': 'header-set-2',
            'X-Header-Add-1': 'header-add-1',
            'X-Header-Add-2': 'add-val-2,header-add-2',
            'X-Header-Add-3': 'header-add-3',
            'Another-Header': 'another-header-val',
          },
          absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        },
      }),
      reaches(G, '/case-insensitivity', V1, INFRA, {
        headers: {
          'x-header-set': 'original-val-set',
          'x-header-add': 'original-val-add',
          'x-header-remove': 'original-val-remove',
          'Another-Header': 'another-header-val',
        },
        expectedRequest: {
          path: '/case-insensitivity',
          headers: { 'X-Header-Set': 'header-set', 'X-Header-Add': 'original-val-add,header-add', 'Another-Header': 'another-header-val' },
          absentHeaders: ['x-header-remove', 'X-Header-Remove'],
        },
      }),
    ],
  })),
  {
    name: 'HTTPRouteRequestHeaderModifierBackendWeights',
    manifests: ['tests/httproute-request-header-modifier-backend-weights.yaml'],
    // Every request must reach the pod its backendRef's filter names in the "Backend" header: checked for every weighted share.
    steps: [
      ...acceptedAndResolved(G, [infra('request-header-modifier-backend-weights')]),
      reaches(G, '/', '', INFRA),
      { kind: 'backend-header', gateway: G, request: { path: '/' }, header: 'Backend', namespace: INFRA },
    ],
  },
  {
    name: 'HTTPRouteResponseHeaderModifier',
    manifests: ['tests/httproute-response-header-modifier.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('response-header-modifier')]),
      reaches(G, '/set', V1, INFRA, {
        backendSetResponseHeaders: { 'Some-Other-Header': 'val' },
        response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      }),
      reaches(G, '/set', V1, INFRA, {
        backendSetResponseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' },
        response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } },
      }),
      reaches(G, '/add', V1, INFRA, {
        backendSetResponseHeaders: { 'Some-Other-Header': 'val' },
        response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'add-appends-values' } },
      }),
      reaches(G, '/add', V1, INFRA, {
        backendSetResponseHeaders: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value' },
        response: { headers: { 'Some-Other-Header': 'val', 'X-Header-Add': 'some-other-value,add-appends-values' } },
      }),
      reaches(G, '/remove', V1, INFRA, { backendSetResponseHeaders: { 'X-Header-Remove': 'val' }, response: { absentHeaders: ['X-Header-Remove'] } }),
      reaches(G, '/multiple', V1, INFRA, {
        backendSetResponseHeaders: {
          'X-Header-Set-2': 'set-val-2',
          'X-Header-Add-2': 'add-val-2',
          'X-Header-Remove-2': 'remove-val-2',
          'Another-Header': 'another-header-val',
          'X-Header-Remove-1': 'val',
        },
        response: {
          headers: {
            'X-Header-Set-1': 'header-set-1',
            'X-Header-Set-2': 'header-set-2',
            'X-Header-Add-1': 'header-add-1',
            'X-Header-Add-2': 'add-val-2,header-add-2',
            'X-Header-Add-3': 'header-add-3',
            'Another-Header': 'another-header-val',
          },
          absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        },
      }),
      reaches(G, '/case-insensitivity', V1, INFRA, {
        backendSetResponseHeaders: {
          'x-header-set': 'original-val-set',
          'x-header-add': 'original-val-add',
          'x-header-remove': 'original-val-remove',
          'Another-Header': 'another-header-val',
        },
        response: {
          headers: {
            'X-Header-Set': 'header-set',
            'X-Header-Add': 'original-val-add,header-add',
            'X-Lowercase-Add': 'lowercase-add',
            'X-Mixedcase-Add-1': 'mixedcase-add-1',
            'X-Mixedcase-Add-2': 'mixedcase-add-2',
            'X-Uppercase-Add': 'uppercase-add',
            'Another-Header': 'another-header-val',
          },
          absentHeaders: ['x-header-remove', 'X-Header-Remove'],
        },
      }),
      reaches(G, '/response-and-request-header-modifiers', V1, INFRA, {
        headers: { 'X-Header-Remove': 'remove-val', 'X-Header-Add-Append': 'append-val-1', 'X-Header-Echo': 'echo' },
        backendSetResponseHeaders: {
          'X-Header-Set-2': 'set-val-2',
          'X-Header-Add-2': 'add-val-2',
          'X-Header-Remove-2': 'remove-val-2',
          'Another-Header': 'another-header-val',
          'X-Header-Remove-1': 'remove-val-1',
          'X-Header-Echo': 'echo',
        },
        expectedRequest: {
          path: '/response-and-request-header-modifiers',
          headers: {
            'X-Header-Add': 'header-val-1',
            'X-Header-Set': 'set-overwrites-values',
            'X-Header-Add-Append': 'append-val-1,header-val-2',
            'X-Header-Echo': 'echo',
          },
          absentHeaders: ['X-Header-Remove'],
        },
        response: {
          headers: {
            'X-Header-Set-1': 'header-set-1',
            'X-Header-Set-2': 'header-set-2',
            'X-Header-Add-1': 'header-add-1',
            'X-Header-Add-2': 'add-val-2,header-add-2',
            'Another-Header': 'another-header-val',
            'X-Header-Echo': 'echo',
          },
          absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'],
        },
      }),
    ],
  },
  {
    name: 'HTTPRouteRequestMirror',
    manifests: ['tests/httproute-request-mirror.yaml'],
    steps: [
      accepted(G, [infra('request-mirror')]),
      reaches(G, '/mirror', V1, INFRA, { expectedRequest: { path: '/mirror' }, mirroredTo: [{ name: V2, namespace: INFRA }] }),
      reaches(G, '/mirror-and-modify-headers', V1, INFRA, {
        headers: MODIFY_HEADERS.headers,
        expectedRequest: { path: '/mirror-and-modify-headers', headers: MODIFY_HEADERS.expected, absentHeaders: MODIFY_HEADERS.absent },
        mirroredTo: [{ name: V2, namespace: INFRA }],
      }),
    ],
  },
  {
    name: 'HTTPRouteRequestMultipleMirrors',
    manifests: ['tests/httproute-request-multiple-mirrors.yaml'],
    steps: [
      accepted(G, [infra('request-multiple-mirrors')]),
      reaches(G, '/multi-mirror', V1, INFRA, {
        expectedRequest: { path: '/multi-mirror' },
        mirroredTo: [
          { name: V2, namespace: INFRA },
          { name: V3, namespace: INFRA },
        ],
      }),
      reaches(G, '/multi-mirror-and-modify-request-headers', V1, INFRA, {
        headers: MODIFY_HEADERS.headers,
        expectedRequest: { path: '/multi-mirror-and-modify-request-headers', headers: MODIFY_HEADERS.expected, absentHeaders: MODIFY_HEADERS.absent },
        mirroredTo: [
          { name: V2, namespace: INFRA },
          { name: V3, namespace: INFRA },
        ],
      }),
    ],
  },
  {
    name: 'HTTPRouteRequestPercentageMirror',
    manifests: ['tests/httproute-request-percentage-mirror.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('request-percentage-mirror')]),
      reaches(G, '/percent-mirror', V1, INFRA, { expectedRequest: { path: '/percent-mirror' }, mirroredTo: [{ name: V2, namespace: INFRA, percent: 20 }] }),
      reaches(G, '/percent-mirror-fraction', V1, INFRA, {
        expectedRequest: { path: '/percent-mirror-fraction' },
        mirroredTo: [{ name: V2, namespace: INFRA, percent: 50 }],
      }),
      reaches(G, '/percent-mirror-and-modify-headers', V1, INFRA, {
        headers: MODIFY_HEADERS.headers,
        expectedRequest: { path: '/percent-mirror-and-modify-headers', headers: MODIFY_HEADERS.expected, absentHeaders: MODIFY_HEADERS.absent },
        mirroredTo: [{ name: V2, namespace: INFRA, percent: 35 }],
      }),
    ],
  },
  {
    name: 'HTTPRouteTimeoutBackendRequest',
    manifests: ['tests/httproute-timeout-backend-request.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('backend-request-timeout')]),
      reaches(G, '/backend-timeout', '', INFRA),
      answers(G, '/backend-timeout?delay=1s', 504, { namespace: INFRA, backendDelaySeconds: 1 }),
      reaches(G, '/disable-backend-timeout?delay=1s', '', INFRA, { backendDelaySeconds: 1 }),
    ],
  },
  {
    name: 'HTTPRouteTimeoutRequest',
    manifests: ['tests/httproute-timeout-request.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('request-timeout')]),
      reaches(G, '/request-timeout', '', INFRA),
      answers(G, '/request-timeout?delay=1s', 504, { namespace: INFRA, backendDelaySeconds: 1 }),
      reaches(G, '/disable-request-timeout?delay=1s', '', INFRA, { backendDelaySeconds: 1 }),
    ],
  },
  {
    name: 'HTTPRouteRetry',
    manifests: ['tests/httproute-retry.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('retries')]),
      ...(
        [
          ['/retry/code-500-attempts-3', 500, 2, 200],
          ['/retry/code-500-attempts-3', 500, 4, 500],
          ['/retry/code-500-attempts-3', 503, 2, 503],
          ['/retry/code-all-attempts-2', 500, 1, 200],
          ['/retry/code-all-attempts-2', 500, 3, 500],
          ['/retry/code-all-attempts-2', 502, 1, 200],
          ['/retry/code-all-attempts-2', 502, 3, 502],
          ['/retry/code-all-attempts-2', 503, 1, 200],
          ['/retry/code-all-attempts-2', 503, 3, 503],
          ['/retry/code-all-attempts-2', 504, 1, 200],
          ['/retry/code-all-attempts-2', 504, 3, 504],
          ['/retry/code-all-attempts-0', 500, 1, 500],
          ['/retry/code-all-attempts-0', 502, 1, 502],
          ['/retry/code-all-attempts-0', 503, 1, 503],
          ['/retry/code-all-attempts-0', 504, 1, 504],
        ] as const
      ).map(([path, code, succeedAfter, want]) =>
        reaches(G, `${path}?responseCode=${code}&succeedAfter=${succeedAfter}`, V3, INFRA, {
          backendFailure: { code, succeedAfter },
          response: { statusCodes: [want] },
        }),
      ),
    ],
  },
  {
    name: 'HTTPRouteRetryConnectionError',
    manifests: ['tests/httproute-retry-connection-error.yaml'],
    // The suite expects the pod infra-backend-connection-error-healthy-*: the Service
    // infra-backend-connection-error selects it and a broken pod that refuses connections.
    steps: [
      ...acceptedAndResolved(G, [infra('retries-connection-error')]),
      { kind: 'namespace-ready', namespaces: [INFRA] },
      reaches(G, '/retry-on-connection-errors', 'infra-backend-connection-error', INFRA, { backendRefusedConnections: 1 }),
    ],
  },
  {
    name: 'HTTPRouteBackendURLRewrite',
    manifests: ['tests/httproute-backend-url-rewrite.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('backend-url-rewrite')]),
      reaches(G, '/full/original', V1, INFRA, { expectedRequest: { path: '/rewritten-full' } }),
      reaches(G, '/prefix/original', V1, INFRA, { expectedRequest: { path: '/rewritten-prefix/original' } }),
    ],
  },
  {
    name: 'HTTPRouteRuleOrder',
    manifests: ['tests/httproute-rule-order.yaml'],
    steps: [
      { kind: 'namespace-ready', namespaces: [INFRA] },
      accepted(G, [infra('rule-order'), infra('rule-order-invalid-backend')]),
      resolvedRefs(infra('rule-order'), G),
      routeCondition(infra('rule-order-invalid-backend'), G, cond('ResolvedRefs', 'False', 'BackendNotFound')),
      reaches(G, '/rule-order', V1, INFRA, { headers: { 'x-color': 'blue', 'x-version': 'one' } }),
      answers(G, '/rule-order-invalid-backend', 500),
    ],
  },
  {
    name: 'HTTPRouteNamedRule',
    manifests: ['tests/httproute-named-rule.yaml'],
    steps: [...acceptedAndResolved(G, [infra('http-named-rules')]), reaches(G, '/named', '', INFRA), reaches(G, '/unnamed', '', INFRA)],
  },
  {
    name: 'HTTPRouteWeight',
    manifests: ['tests/httproute-weight.yaml'],
    steps: [
      ...acceptedAndResolved(G, [infra('weighted-backends')]),
      reaches(G, '/', '', INFRA),
      { kind: 'weights', gateway: G, request: { path: '/' }, namespace: INFRA, weights: { [V1]: 0.7, [V2]: 0.3, [V3]: 0 } },
    ],
  },
  {
    name: 'HTTPRouteCORS',
    manifests: ['tests/httproute-cors.yaml'],
    steps: (() => {
      const routes = ['cors-multiple-origins-methods-headers', 'cors-wildcard-methods', 'cors-wildcard-origin', 'cors-wildcard-methods-headers'].map(infra);
      /** A preflight: whoever answers (Envoy, usually), the suite sees no echo capture, so path and namespace are empty. */
      const preflight = (
        path: string,
        headers: Record<string, string>,
        response: NonNullable<HttpExpectation['response']>,
        label: string,
      ): HttpExpectation => ({
        kind: 'http',
        gateway: G,
        label,
        request: { path, method: 'OPTIONS', headers },
        expectedRequest: { method: 'OPTIONS', path: '' },
        namespace: '',
        response,
      });
      const full = {
        'access-control-allow-methods': ['GET, OPTIONS', 'OPTIONS, GET'],
        'access-control-allow-headers': ['x-header-1, x-header-2', 'x-header-2, x-header-1'],
        'access-control-expose-headers': ['x-header-3, x-header-4', 'x-header-4, x-header-3'],
        'access-control-max-age': ['3600'],
        'access-control-allow-credentials': ['true'],
      };
      const ask = { 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-header-1, x-header-2' };
      return [
        accepted(G, routes.slice(0, 2)),
        ...routes.map((r) => resolvedRefs(r, G)),
        preflight(
          '/cors-1',
          { Origin: 'https://www.foo.com', ...ask },
          { statusCodes: [200, 204], validHeaderValues: { 'access-control-allow-origin': ['https://www.foo.com'], ...full }, ignoreWhitespace: true },
          'preflight, exact origin',
        ),
        preflight(
          '/cors-1',
          { Origin: 'https://www.bar.com', ...ask },
          { statusCodes: [200, 204], validHeaderValues: { 'access-control-allow-origin': ['https://www.bar.com'], ...full }, ignoreWhitespace: true },
          'preflight, wildcard origin',
        ),
        preflight(
          '/cors-1',
          { Origin: 'https://xpto.www.bar.com', ...ask },
          { statusCodes: [200, 204], validHeaderValues: { 'access-control-allow-origin': ['https://xpto.www.bar.com'], ...full }, ignoreWhitespace: true },
          'preflight, wildcard over several labels',
        ),
        preflight(
          '/cors-1',
          { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
          { statusCodes: [200, 204, 403], absentHeaders: ['access-control-allow-origin'] },
          'preflight, origin not allowed',
        ),
        reaches(G, '/cors-1', '', INFRA, {
          method: 'GET',
          headers: { Origin: 'https://www.foo.com', ...ask },
          response: { statusCodes: [200], headers: { 'access-control-allow-origin': 'https://www.foo.com' } },
          label: 'simple request, exact origin',
        }),
        reaches(G, '/cors-1', '', INFRA, {
          method: 'GET',
          headers: { Origin: 'https://www.bar.com', ...ask },
          response: { statusCodes: [200], headers: { 'access-control-allow-origin': 'https://www.bar.com' } },
          label: 'simple request, wildcard origin',
        }),
        reaches(G, '/cors-1', '', INFRA, {
          method: 'GET',
          headers: { Origin: 'https://foobar.com', 'access-control-request-method': 'GET' },
          response: { absentHeaders: ['access-control-allow-origin'] },
          label: 'simple request, origin not allowed',
        }),
        preflight(
          '/cors-2',
          { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
          {
            statusCodes: [200, 204],
            validHeaderValues: { 'access-control-allow-methods': ['POST', '*'] },
            headers: { 'access-control-allow-origin': 'https://www.foo.com' },
            absentHeaders: ['access-control-allow-credentials'],
          },
          'preflight, wildcard methods',
        ),
        preflight(
          '/cors-2',
          { Origin: 'https://www.foo.com', 'access-control-request-method': 'POST' },
          { statusCodes: [200, 204], absentHeaders: ['Access-Control-Allow-Credentials'] },
          'preflight, no credentials',
        ),
        preflight(
          '/cors-wildcard-origin',
          { Origin: 'https://foobar.com', 'access-control-request-method': 'PUT' },
          {
            statusCodes: [200, 204],
            validHeaderValues: { 'access-control-allow-origin': ['https://foobar.com', '*'], 'access-control-allow-methods': ['PUT'] },
            absentHeaders: ['Access-Control-Allow-Credentials'],
          },
          'preflight, any origin',
        ),
        preflight(
          '/cors-wildcard-origin',
          { Origin: 'https://foobar.com:12345', 'access-control-request-method': 'PUT' },
          {
            statusCodes: [200, 204],
            validHeaderValues: { 'access-control-allow-origin': ['https://foobar.com:12345', '*'], 'access-control-allow-methods': ['PUT'] },
            absentHeaders: ['Access-Control-Allow-Credentials'],
          },
          'preflight, any origin with a port',
        ),
        reaches(G, '/cors-wildcard-origin', '', INFRA, {
          method: 'PUT',
          headers: { Origin: 'https://foobar.com:12345' },
          response: { statusCodes: [200], validHeaderValues: { 'access-control-allow-origin': ['https://foobar.com:12345', '*'] } },
          label: 'request, any origin with a port',
        }),
        reaches(G, '/cors-wildcard-origin', '', INFRA, {
          method: 'PUT',
          headers: { Origin: 'https://foobar.com' },
          response: {
            statusCodes: [200],
            validHeaderValues: { 'access-control-allow-origin': ['https://foobar.com', '*'] },
            absentHeaders: ['Access-Control-Allow-Credentials'],
          },
          label: 'request, any origin',
        }),
        preflight(
          '/cors-wildcard-methods-headers',
          { Origin: 'https://other.foo.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-header-1, x-header-2' },
          {
            statusCodes: [200, 204],
            validHeaderValues: {
              'access-control-allow-origin': ['https://other.foo.com'],
              'access-control-allow-methods': ['PUT'],
              'access-control-allow-headers': ['x-header-1, x-header-2', 'x-header-2, x-header-1'],
              'access-control-allow-credentials': ['true'],
            },
            ignoreWhitespace: true,
          },
          'preflight, wildcards with credentials echo what was asked',
        ),
        preflight(
          '/cors-wildcard-methods-headers-unauth',
          { Origin: 'https://other.foo.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'x-header-1, x-header-2' },
          {
            statusCodes: [200, 204],
            validHeaderValues: {
              'access-control-allow-origin': ['https://other.foo.com', '*'],
              'access-control-allow-methods': ['PUT', '*'],
              'access-control-allow-headers': ['x-header-1, x-header-2', 'x-header-2, x-header-1', '*'],
            },
            absentHeaders: ['access-control-allow-credentials'],
            ignoreWhitespace: true,
          },
          'preflight, wildcards without credentials',
        ),
        reaches(G, '/cors-wildcard-methods-headers', '', INFRA, {
          method: 'GET',
          headers: { Origin: 'https://other.foo.com' },
          response: {
            statusCodes: [200],
            validHeaderValues: { 'access-control-allow-origin': ['https://other.foo.com'], 'access-control-allow-credentials': ['true'] },
          },
          label: 'request with credentials',
        }),
        reaches(G, '/cors-wildcard-methods-headers-unauth', '', INFRA, {
          method: 'GET',
          headers: { Origin: 'https://other.foo.com' },
          response: {
            statusCodes: [200],
            validHeaderValues: { 'access-control-allow-origin': ['https://other.foo.com', '*'] },
            absentHeaders: ['access-control-allow-credentials'],
          },
          label: 'request without credentials',
        }),
      ];
    })(),
  },
];
