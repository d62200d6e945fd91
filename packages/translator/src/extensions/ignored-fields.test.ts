// The guide's option fields that do nothing in Switchyard are named in
// status (with what to use instead) rather than ignored in silence.
import type { Listener } from '@switchyard/api';
import { ask, backend, baseObjects, gateway, gatewayClass, httpListener, httpRoute, routeCondition, run } from '../../test/fixtures.js';
import type { TranslateResult } from '../translate.js';

function listenerAccepted(r: TranslateResult, name: string) {
  const s = r.statuses.find((x) => x.kind === 'Gateway' && x.name === 'gw')!;
  const l = (
    s.status as { listeners: Array<{ name: string; conditions: Array<{ type: string; status: string; reason: string; message: string }> }> }
  ).listeners.find((x) => x.name === name)!;
  return l.conditions.find((c) => c.type === 'Accepted')!;
}

describe('guide option fields Switchyard does not implement', () => {
  it("listener options (the guide's access-log and trace-sampling) are named in the listener's Accepted message with the ProxyConfig field to use", () => {
    const l = {
      ...httpListener('http', 80),
      options: { 'gateway.networking.k8s.io/access-log': 'true', 'gateway.networking.k8s.io/trace-sampling': '100' },
    } as Listener;
    const r = run([gatewayClass(), gateway('infra', 'gw', [l])]);
    const c = listenerAccepted(r, 'http');
    expect(c.status).toBe('True');
    expect(c.message).toBe(
      'Listener accepted; ignored: spec.listeners[0].options is not a Gateway API field (an API server drops it): gateway.networking.k8s.io/access-log (use a ProxyConfig with spec.accessLog (switchyard.dev)), gateway.networking.k8s.io/trace-sampling (use an XTelemetryPolicy with spec.tracing.samplingRate, or a ProxyConfig with spec.tracing.samplingPercent (switchyard.dev))',
    );
  });

  it("TLS options keys (the guide's auth-type) are named, pointing at spec.tls.frontend", () => {
    const l: Listener = {
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      tls: {
        mode: 'Terminate',
        certificateRefs: [{ name: 'missing-cert' }],
        options: { 'gateway.networking.k8s.io/auth-type': 'RequestClientCert', 'example.com/other': 'x' },
      },
    };
    const r = run([gatewayClass(), gateway('infra', 'gw', [l])]);
    expect(listenerAccepted(r, 'https').message).toContain(
      'spec.listeners[0].tls.options: Switchyard implements no TLS options: example.com/other, gateway.networking.k8s.io/auth-type (use Gateway spec.tls.frontend (client certificate validation))',
    );
  });

  it('a listener without such fields keeps the plain message', () => {
    const r = run([gatewayClass(), gateway('infra', 'gw', [httpListener('http', 80)])]);
    expect(listenerAccepted(r, 'http').message).toBe('Listener accepted');
  });

  it("a backendRef's tls (the guide's backend TLS) is reported under ResolvedRefs: the traffic would be plain text", () => {
    const route = httpRoute('apps', 'secure-backend', {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [{ backendRefs: [{ name: 'secure', port: 8080, tls: { options: { 'gateway.networking.k8s.io/backend-tls': 'skip-verify' } } } as never] }],
    });
    const r = run([...baseObjects(), ...backend('apps', 'secure'), route]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'secure-backend', 'ResolvedRefs');
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c?.message).toContain(
      'spec.rules[0].backendRefs[0].tls is not a Gateway API field (an API server drops it) and is ignored: traffic to this backend is not encrypted; use a BackendTLSPolicy',
    );
    // The route still works, as it would after an API server dropped the field.
    expect(ask(r, { path: '/' }).backends).toEqual({ 'apps/secure:8080': 1 });
  });

  it("the guide's RequestRateLimit filter drops its rule and the message points at RateLimit", () => {
    const route = httpRoute('apps', 'rate-limited', {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [{ filters: [{ type: 'RequestRateLimit', requestRateLimit: { requestsPerSecond: 100 } } as never], backendRefs: [{ name: 'api', port: 8080 }] }],
    });
    const r = run([...baseObjects(), ...backend('apps', 'api'), route]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'rate-limited', 'Accepted');
    expect(c).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(c?.message).toContain(
      'spec.rules[0].filters[0].type: RequestRateLimit is not a known filter type (for rate limits use an ExtensionRef to a switchyard.dev RateLimit)',
    );
  });
});

describe('fields Gateway API v1.7 removed or renamed', () => {
  it('a v1.6 sessionPersistence (sessionName, cookieConfig) is named in Accepted with its replacement; the route still works', () => {
    const route = httpRoute('apps', 'sticky', {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [
        {
          sessionPersistence: { sessionName: 'shop', type: 'Cookie', cookieConfig: { lifetimeType: 'Session' } } as never,
          backendRefs: [{ name: 'a', port: 8080 }],
        },
      ],
    });
    const r = run([...baseObjects(), ...backend('apps', 'a'), route]);
    const c = routeCondition(r, 'HTTPRoute', 'apps', 'sticky', 'Accepted');
    expect(c).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(c?.message).toContain(
      'spec.rules[0].sessionPersistence.sessionName was removed in Gateway API v1.7: use spec.rules[0].sessionPersistence.cookie.name (type Cookie) or spec.rules[0].sessionPersistence.header.name (type Header)',
    );
    expect(c?.message).toContain('spec.rules[0].sessionPersistence.cookieConfig was renamed in Gateway API v1.7: use spec.rules[0].sessionPersistence.cookie');
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'sticky', 'ResolvedRefs')).toMatchObject({ status: 'True' });
    expect(ask(r, { path: '/' }).backends).toEqual({ 'apps/a:8080': 1 });
  });
  it('the v1.7 shape is not reported', () => {
    const route = httpRoute('apps', 'sticky', {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [{ sessionPersistence: { type: 'Cookie', cookie: { name: 'shop' } }, backendRefs: [{ name: 'a', port: 8080 }] }],
    });
    const r = run([...baseObjects(), ...backend('apps', 'a'), route]);
    expect(routeCondition(r, 'HTTPRoute', 'apps', 'sticky', 'Accepted')?.message).toBe('Route accepted');
  });
});
