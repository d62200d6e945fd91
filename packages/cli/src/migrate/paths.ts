// Ingress paths -> HTTPRoute path matches, and ingress-nginx rewrite-target ->
// URLRewrite, under the semantics ingress-nginx gives them:
//
// - Exact is `location = /p`; Prefix /p is `location /p/` plus `location = /p`
//   (element-wise, like Gateway API PathPrefix, except that a Prefix written
//   with a trailing slash does not match the path without it);
//   ImplementationSpecific is a plain nginx prefix location: a character
//   prefix, so /foo also matched /foobar.
// - When any Ingress of a host sets use-regex or rewrite-target, ingress-nginx
//   turns every path of that host into `location ~* "^<path>"`: a
//   case-insensitive regular expression anchored at the start only. Envoy
//   (RE2, full match) expresses that as `(?i)<path>.*`.
// - rewrite-target replaces the whole path with the target, `$n` standing for
//   capture groups of the path regex. The common shapes (`/p(/|$)(.*)` -> `/$2`
//   and friends) are a prefix replacement: PathPrefix + ReplacePrefixMatch.
import type { HTTPPathMatch } from '@switchyard/api';
import type { PathType } from './ingress.js';

export type PathConversion =
  { readonly kind: 'ok'; readonly match: HTTPPathMatch; readonly caveats: readonly string[] } | { readonly kind: 'error'; readonly message: string };

/** Which matching rules the Ingress's controller applies. */
export type PathSemantics = 'ingress-nginx' | 'ingress-spec';

const REGEX_META = /[.^$*+?()[\]{}|\\]/;

/** Problems Gateway API rejects in Exact / PathPrefix values (CRD validation). */
function literalPathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return `path "${p}" does not start with "/"`;
  if (p.includes('//') || p.includes('/./') || p.includes('/../')) return `path "${p}" contains "//", "/./" or "/../", which Gateway API rejects`;
  if (p.length > 1024) return 'path is longer than the 1024 characters Gateway API allows';
  return undefined;
}

/** PCRE constructs that RE2 (Envoy) does not support. */
function pcreOnly(re: string): string | undefined {
  if (/\(\?[=!]|\(\?<[=!]/.test(re)) return 'lookaround assertions';
  if (/\\[1-9]/.test(re)) return 'back-references';
  if (/[*+?}]\+/.test(re)) return 'possessive quantifiers';
  if (/\(\?>/.test(re)) return 'atomic groups';
  return undefined;
}

/** True when `|` occurs outside any group or class, so appending `.*` needs a wrapping group. */
function hasTopLevelAlternation(re: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

/** ingress-nginx's `~* "^<path>"` as an RE2 full-match pattern. */
export function nginxRegexLocation(path: string): PathConversion {
  const bad = pcreOnly(path);
  if (bad) return { kind: 'error', message: `path regex "${path}" uses ${bad}, which RE2 (Envoy) does not support` };
  const body = path.startsWith('^') ? path.slice(1) : path;
  // A request path always starts with "/": a regex starting with another literal never matched.
  if (/^[A-Za-z0-9_~-]/.test(body)) return { kind: 'error', message: `path "${path}" does not start with "/", so ingress-nginx never matched it` };
  const tail = body.endsWith('.*') ? '' : '.*';
  // Keep the leading "/" outside the case-insensitive group, so the pattern
  // still reads (and validates) as a path: /(?i:v[0-9]+/users).*
  let value: string;
  if (hasTopLevelAlternation(body)) value = `(?i)(?:${body})${tail}`;
  else if (body.startsWith('/')) value = body.length === 1 ? `/${tail || ''}` : `/(?i:${body.slice(1)})${tail}`;
  else value = `(?i)${body}${tail}`;
  if (value.length > 1024) return { kind: 'error', message: 'path regex is longer than the 1024 characters Gateway API allows' };
  return {
    kind: 'ok',
    match: { type: 'RegularExpression', value },
    caveats: [
      'ingress-nginx used a case-insensitive PCRE location anchored at the start; converted to the RE2 full match ' +
        `"${value}" (RE2 lacks some PCRE features, and ingress-nginx tried regex paths longest first while Gateway API leaves the order of regular-expression matches to the implementation)`,
    ],
  };
}

/** Converts one Ingress path (no rewrite involved). */
export function convertPath(rawPath: string | undefined, pathType: PathType | undefined, o: { regexHost: boolean; semantics: PathSemantics }): PathConversion {
  // An empty path is allowed for ImplementationSpecific and means "/".
  const path = rawPath === undefined || rawPath === '' ? '/' : rawPath;
  const type: PathType = pathType ?? 'ImplementationSpecific';
  if (o.semantics === 'ingress-nginx' && o.regexHost) return nginxRegexLocation(path);
  const problem = literalPathProblem(path);
  if (problem) return { kind: 'error', message: problem };
  switch (type) {
    case 'Exact':
      return { kind: 'ok', match: { type: 'Exact', value: path }, caveats: [] };
    case 'Prefix': {
      const caveats: string[] = [];
      if (o.semantics === 'ingress-nginx' && path !== '/' && path.endsWith('/')) {
        caveats.push(`ingress-nginx did not match "${path.slice(0, -1)}" for Prefix "${path}"; Gateway API PathPrefix ignores the trailing slash and does`);
      }
      return { kind: 'ok', match: { type: 'PathPrefix', value: path }, caveats };
    }
    case 'ImplementationSpecific': {
      const caveats: string[] = [];
      if (o.semantics === 'ingress-spec') {
        caveats.push('pathType ImplementationSpecific is up to the Ingress controller; converted as Prefix');
      } else if (path !== '/' && !path.endsWith('/')) {
        caveats.push(
          `ingress-nginx matched ImplementationSpecific "${path}" as a character prefix (it also matched "${path}x..."); Gateway API PathPrefix matches whole path segments only`,
        );
      } else if (path !== '/') {
        caveats.push(`ingress-nginx did not match "${path.slice(0, -1)}" for "${path}"; Gateway API PathPrefix ignores the trailing slash and does`);
      }
      return { kind: 'ok', match: { type: 'PathPrefix', value: path }, caveats };
    }
  }
}

export type RewritePlan =
  /** The whole path becomes `path` (a target without capture references). */
  | { readonly kind: 'full'; readonly path: string }
  /** Match PathPrefix `prefix` and replace that prefix with `replace`. */
  | { readonly kind: 'prefix'; readonly prefix: string; readonly replace: string; readonly caveats: readonly string[] }
  | { readonly kind: 'inexpressible'; readonly message: string };

interface Shape {
  /** The regex text after the literal prefix. */
  readonly suffix: string;
  /** The capture group holding the rest of the path. */
  readonly group: number;
  /** Whether the rest starts after the slash ('after-slash') or includes it ('with-slash'). */
  readonly rest: 'after-slash' | 'with-slash';
  /** Whether the literal prefix alone (no slash after it) matches. */
  readonly matchesBare: boolean;
  /** Whether "<prefix>x" (no slash) matches too. */
  readonly characterPrefix: boolean;
}

// The shapes rewrite-target is used with in practice (ingress-nginx's docs
// show the first).
const SHAPES: readonly Shape[] = [
  { suffix: '(/|$)(.*)', group: 2, rest: 'after-slash', matchesBare: true, characterPrefix: false },
  { suffix: '(/|$)(.*)$', group: 2, rest: 'after-slash', matchesBare: true, characterPrefix: false },
  { suffix: '/(.*)', group: 1, rest: 'after-slash', matchesBare: false, characterPrefix: false },
  { suffix: '/(.*)$', group: 1, rest: 'after-slash', matchesBare: false, characterPrefix: false },
  { suffix: '(/.*)', group: 1, rest: 'with-slash', matchesBare: false, characterPrefix: false },
  { suffix: '(/.*)$', group: 1, rest: 'with-slash', matchesBare: false, characterPrefix: false },
  { suffix: '/?(.*)', group: 1, rest: 'after-slash', matchesBare: true, characterPrefix: true },
  { suffix: '(.*)', group: 1, rest: 'with-slash', matchesBare: true, characterPrefix: true },
  { suffix: '(.*)$', group: 1, rest: 'with-slash', matchesBare: true, characterPrefix: true },
];

/**
 * What ingress-nginx's `rewrite "(?i)<path>" <target> break;` becomes. The
 * rewrite replaces the whole path, so a target without `$n` is a full path
 * replacement for any match; a target `<R>$n` where $n captures "the rest
 * after a literal prefix" is a prefix replacement.
 */
export function planRewrite(rawPath: string | undefined, target: string): RewritePlan {
  const path = rawPath === undefined || rawPath === '' ? '/' : rawPath;
  if (!target.includes('$')) {
    const problem = literalPathProblem(target.split('?')[0]!);
    if (problem) return { kind: 'inexpressible', message: `rewrite target: ${problem}` };
    if (target.includes('?')) return { kind: 'inexpressible', message: `rewrite target "${target}" sets a query string, which Gateway API URLRewrite cannot` };
    return { kind: 'full', path: target };
  }
  const m = /^([^$]*)\$(\d)$/.exec(target) ?? /^([^$]*)\$\{(\d)\}$/.exec(target);
  const cannot = (why: string): RewritePlan => ({
    kind: 'inexpressible',
    message: `rewrite-target "${target}" for path "${path}" ${why}; Gateway API can only replace a path prefix or the full path`,
  });
  if (!m) return cannot('uses capture groups other than one at the end');
  const replacement = m[1]!;
  const group = Number(m[2]);
  let literalEnd = 0;
  while (literalEnd < path.length && !REGEX_META.test(path[literalEnd]!)) literalEnd++;
  // A quantifier applies to the character before it: "/shop/?(.*)" is "/shop" + "/?(.*)".
  if (literalEnd > 0 && /^[?*+{]/.test(path.slice(literalEnd))) literalEnd--;
  let literal = path.slice(0, literalEnd);
  let suffix = path.slice(literalEnd);
  // "/foo/(.*)" is "/foo" + "/(.*)".
  if (literal.endsWith('/') && literal.length > 1 && (suffix === '(.*)' || suffix === '(.*)$')) {
    literal = literal.slice(0, -1);
    suffix = '/' + suffix;
  }
  // "/(.*)" at the root: the literal is empty.
  if (literal === '/' && (suffix === '(.*)' || suffix === '(.*)$')) {
    literal = '';
    suffix = '/' + suffix;
  }
  const shape = SHAPES.find((s) => s.suffix === suffix);
  if (!shape) return cannot('is not a literal prefix followed by a capture of the rest of the path');
  if (shape.group !== group) return cannot(`references $${group}, which is not the group capturing the rest of the path`);
  const prefix = literal === '' ? '/' : literal;
  const problem = literalPathProblem(prefix);
  if (problem) return cannot(`has a prefix Gateway API cannot match (${problem})`);

  const caveats: string[] = ['ingress-nginx matched this path case-insensitively; Gateway API PathPrefix is case-sensitive'];
  if (shape.characterPrefix && prefix !== '/')
    caveats.push(`the regex also matched "${prefix}x..." (a character prefix); PathPrefix "${prefix}" matches whole path segments only`);
  if (!shape.matchesBare && prefix !== '/') caveats.push(`the regex did not match "${prefix}" itself; PathPrefix "${prefix}" does`);
  let replace: string;
  if (shape.rest === 'after-slash') {
    // nginx gives R + rest where the request was <prefix>/<rest>.
    if (!replacement.endsWith('/')) return cannot(`joins "${replacement}" to the rest of the path without a "/"`);
    replace = replacement === '/' ? '/' : replacement.slice(0, -1);
    if (shape.matchesBare && replacement !== '/' && prefix !== '/')
      caveats.push(`a request for exactly "${prefix}" becomes "${replace}" rather than "${replacement}"`);
  } else {
    // nginx gives R + "/rest".
    if (replacement.endsWith('/') && replacement !== '') {
      replace = replacement === '/' ? '/' : replacement.slice(0, -1);
      caveats.push(`ingress-nginx produced a double slash ("${replacement}/..."); Gateway API gives a single one`);
    } else replace = replacement === '' ? '/' : replacement;
  }
  if (replace !== '/' && literalPathProblem(replace)) return cannot(`has a replacement Gateway API rejects (${literalPathProblem(replace)})`);
  return { kind: 'prefix', prefix, replace, caveats };
}
