import { RE2 } from 're2-wasm';
import { encodeMessage, TypeUrl } from '@switchyard/protos';
import type { HttpRouteIR, RouteConfigIR } from '../ir/ir.js';
import { INVALID_BACKEND_CLUSTER } from '@switchyard/protos';
import { prefixRewrite, routeConfiguration } from './route-configuration.js';
import { readMetadata } from '@switchyard/protos';

/** Applies a regex_rewrite as Envoy does (RE2 replace of the first match, \1 capture groups). */
function rewrite(path: string, r: ReturnType<typeof prefixRewrite>): string {
  const re = new RE2(r.pattern!.regex!, 'u');
  return path.replace(re as unknown as RegExp, r.substitution!.replace(/\\(\d)/g, '$$$1'));
}

const source = { kind: 'HTTPRoute' as const, namespace: 'ns', name: 'r', rule: 2, ruleName: 'named', match: 1 };
const base: Omit<HttpRouteIR, 'action'> = { source, match: { path: { type: 'PathPrefix', value: '/api' }, headers: [], queryParams: [] } };

describe('route-configuration emitter', () => {
  it.each([
    ['/prefix/one', '/one', '/prefix/one/two', '/one/two'],
    ['/prefix/one', '/one', '/prefix/one', '/one'],
    ['/prefix/one', '/one/', '/prefix/one/two', '/one/two'],
    ['/strip', '/', '/strip', '/'],
    ['/strip', '/', '/strip/x/y', '/x/y'],
    ['/', '/api', '/foo', '/api/foo'],
    ['/a.b', '/c', '/a.b/d', '/c/d'],
  ])('ReplacePrefixMatch %s -> %s turns %s into %s', (prefix, replacement, path, want) => {
    expect(rewrite(path, prefixRewrite({ type: 'PathPrefix', value: prefix }, replacement))).toBe(want);
  });

  it('points an invalid share at the reserved cluster with a 500 and encodes', () => {
    const rc: RouteConfigIR = {
      name: 'http-80',
      virtualHosts: [
        {
          name: '*',
          hostname: '*',
          routes: [
            {
              ...base,
              action: {
                kind: 'forward',
                backends: [
                  { cluster: 'ns/a:80', weight: 3 },
                  { cluster: null, weight: 1 },
                ],
                mirrors: [{ cluster: 'ns/m:80', fraction: { numerator: 1, denominator: 3 } }],
              },
            },
          ],
        },
      ],
    };
    const out = routeConfiguration(rc);
    const r = out.virtual_hosts![0]!.routes![0]!;
    expect(r.route!.weighted_clusters!.clusters!.map((c) => [c.name, c.weight?.value])).toEqual([
      ['ns/a:80', 3],
      [INVALID_BACKEND_CLUSTER, 1],
    ]);
    expect(r.route!.cluster_not_found_response_code).toBe('INTERNAL_SERVER_ERROR');
    expect(r.route!.request_mirror_policies![0]!.runtime_fraction!.default_value).toEqual({ numerator: 333333, denominator: 'MILLION' });
    expect(readMetadata(r.metadata)).toEqual({ kind: 'HTTPRoute', namespace: 'ns', name: 'r', rule: '2', ruleName: 'named', match: '1' });
    expect(r.name).toBe('httproute/ns/r/rule/2/match/1');
    expect(encodeMessage(TypeUrl.RouteConfiguration, out).length).toBeGreaterThan(0);
  });

  it('maps the redirect status codes and paths', () => {
    const rc: RouteConfigIR = {
      name: 'x',
      virtualHosts: [
        {
          name: 'a',
          hostname: 'a.com',
          routes: [{ ...base, action: { kind: 'redirect', statusCode: 307, scheme: 'https', port: 8443, path: { type: 'ReplaceFullPath', value: '/new' } } }],
        },
      ],
    };
    expect(routeConfiguration(rc).virtual_hosts![0]!.routes![0]!.redirect).toEqual({
      response_code: 'TEMPORARY_REDIRECT',
      scheme_redirect: 'https',
      port_redirect: 8443,
      path_redirect: '/new',
    });
  });

  it('matches PathPrefix element-wise and regexes with RE2', () => {
    const mk = (path: HttpRouteIR['match']['path']): RouteConfigIR => ({
      name: 'x',
      virtualHosts: [{ name: 'a', hostname: 'a.com', routes: [{ ...base, match: { ...base.match, path }, action: { kind: 'direct', status: 500 } }] }],
    });
    const m = (path: HttpRouteIR['match']['path']) => routeConfiguration(mk(path)).virtual_hosts![0]!.routes![0]!.match;
    expect(m({ type: 'PathPrefix', value: '/' })).toEqual({ prefix: '/' });
    expect(m({ type: 'PathPrefix', value: '/api' })).toEqual({ path_separated_prefix: '/api' });
    expect(m({ type: 'Exact', value: '/x/' })).toEqual({ path: '/x/' });
    expect(m({ type: 'RegularExpression', value: '/r/.*' })).toEqual({ safe_regex: { google_re2: {}, regex: '/r/.*' } });
  });
});
