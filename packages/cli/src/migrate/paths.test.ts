import { expect } from '@jest/globals';
import { convertPath, nginxRegexLocation, planRewrite } from './paths.js';

const nginx = { regexHost: false, semantics: 'ingress-nginx' as const };

describe('convertPath', () => {
  it('keeps Exact and Prefix, and says where ingress-nginx differed', () => {
    expect(convertPath('/a', 'Exact', nginx)).toEqual({ kind: 'ok', match: { type: 'Exact', value: '/a' }, caveats: [] });
    expect(convertPath('/a', 'Prefix', nginx)).toEqual({ kind: 'ok', match: { type: 'PathPrefix', value: '/a' }, caveats: [] });
    const trailing = convertPath('/a/', 'Prefix', nginx);
    expect(trailing.kind === 'ok' && trailing.caveats[0]).toMatch(/did not match "\/a" for Prefix "\/a\/"/);
  });

  it('treats ImplementationSpecific as a character prefix (caveat) under ingress-nginx, as Prefix elsewhere', () => {
    const r = convertPath('/static', 'ImplementationSpecific', nginx);
    expect(r.kind === 'ok' && r.match).toEqual({ type: 'PathPrefix', value: '/static' });
    expect(r.kind === 'ok' && r.caveats[0]).toMatch(/character prefix/);
    expect(convertPath('/', 'ImplementationSpecific', nginx)).toEqual({ kind: 'ok', match: { type: 'PathPrefix', value: '/' }, caveats: [] });
    expect(convertPath(undefined, undefined, nginx)).toEqual({ kind: 'ok', match: { type: 'PathPrefix', value: '/' }, caveats: [] });
    const other = convertPath('/x', 'ImplementationSpecific', { regexHost: false, semantics: 'ingress-spec' });
    expect(other.kind === 'ok' && other.caveats[0]).toMatch(/up to the Ingress controller/);
  });

  it('turns every path of a regex host into a case-insensitive, start-anchored RE2 match', () => {
    const host = { regexHost: true, semantics: 'ingress-nginx' as const };
    expect(convertPath('/v[0-9]+/users', 'ImplementationSpecific', host)).toMatchObject({
      match: { type: 'RegularExpression', value: '/(?i:v[0-9]+/users).*' },
    });
    // Exact too: ingress-nginx checks enforced regex before the path type.
    expect(convertPath('/exact', 'Exact', host)).toMatchObject({ match: { type: 'RegularExpression', value: '/(?i:exact).*' } });
    expect(convertPath('/', 'Prefix', host)).toMatchObject({ match: { type: 'RegularExpression', value: '/.*' } });
    expect(convertPath('/a/.*', 'Prefix', host)).toMatchObject({ match: { type: 'RegularExpression', value: '/(?i:a/.*)' } });
    expect(nginxRegexLocation('/a|/b')).toMatchObject({ match: { value: '(?i)(?:/a|/b).*' } });
  });

  it('rejects what Gateway API or RE2 cannot hold, naming the reason', () => {
    expect(convertPath('/a//b', 'Prefix', nginx)).toEqual({ kind: 'error', message: expect.stringMatching(/"\/\/"/) });
    expect(convertPath('/(?!admin)', 'Prefix', { regexHost: true, semantics: 'ingress-nginx' })).toEqual({
      kind: 'error',
      message: expect.stringMatching(/lookaround/),
    });
  });
});

describe('planRewrite', () => {
  it('maps a target without captures to a full path replacement', () => {
    expect(planRewrite('/home', '/index.html')).toEqual({ kind: 'full', path: '/index.html' });
    expect(planRewrite('/home', '/x?y=1')).toMatchObject({ kind: 'inexpressible', message: expect.stringMatching(/query string/) });
  });

  it.each([
    // [path, target, prefix, replacement]
    ['/api(/|$)(.*)', '/$2', '/api', '/'],
    ['/api(/|$)(.*)', '/v2/$2', '/api', '/v2'],
    ['/api/(.*)', '/$1', '/api', '/'],
    ['/api(/.*)', '$1', '/api', '/'],
    ['/api(/.*)', '/v2$1', '/api', '/v2'],
    ['/(.*)', '/app/$1', '/', '/app'],
    ['/shop/?(.*)', '/$1', '/shop', '/'],
  ])('%s -> %s is PathPrefix %s with ReplacePrefixMatch %s', (path, target, prefix, replace) => {
    expect(planRewrite(path, target)).toMatchObject({ kind: 'prefix', prefix, replace });
  });

  it('names the request shapes where the prefix replacement differs from nginx', () => {
    const r = planRewrite('/api(/|$)(.*)', '/v2/$2');
    expect(r.kind === 'prefix' && r.caveats.join('\n')).toMatch(/exactly "\/api" becomes "\/v2" rather than "\/v2\/"/);
    const s = planRewrite('/api/(.*)', '/$1');
    expect(s.kind === 'prefix' && s.caveats.join('\n')).toMatch(/did not match "\/api" itself/);
    const t = planRewrite('/shop/?(.*)', '/$1');
    expect(t.kind === 'prefix' && t.caveats.join('\n')).toMatch(/character prefix/);
  });

  it('reports captures Gateway API cannot express', () => {
    expect(planRewrite('/(a|b)/(.*)', '/$2/$1')).toMatchObject({ kind: 'inexpressible', message: expect.stringMatching(/other than one at the end/) });
    expect(planRewrite('/api(/|$)(.*)', '/$1')).toMatchObject({ kind: 'inexpressible', message: expect.stringMatching(/references \$1/) });
    expect(planRewrite('/api(/|$)(.*)', '/new$2')).toMatchObject({ kind: 'inexpressible', message: expect.stringMatching(/without a "\/"/) });
    expect(planRewrite('/user/([0-9]+)', '/profile?id=$1')).toMatchObject({ kind: 'inexpressible' });
  });
});
