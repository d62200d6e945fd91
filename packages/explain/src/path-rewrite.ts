// Path rewrites shared by forwarding routes and redirects: prefix_rewrite
// replaces the part of :path the route matched (the whole path for exact and
// regex matches), keeping the rest and the query; regex_rewrite substitutes
// in the path and keeps the query.
import type { RegexMatchAndSubstitute } from '@switchyard/protos/generated/envoy/type/matcher/v3/RegexMatchAndSubstitute.js';
import type { PathMatch } from './route-match.js';
import { splitPath } from './request.js';
import { regexGlobalReplace, regexOf } from './string-matcher.js';
import type { PathRewrite } from './types.js';

/** `path` is :path with query. Undefined when the route rewrites nothing. */
export function rewritePath(
  path: string,
  match: PathMatch,
  prefixRewrite: string | undefined,
  regexRewrite: RegexMatchAndSubstitute | null | undefined,
): PathRewrite | undefined {
  if (prefixRewrite !== undefined && prefixRewrite !== '') {
    const matchedLength = match.kind === 'unsupported' ? 0 : match.matched.length;
    return { by: 'prefix_rewrite', from: path, to: prefixRewrite + path.slice(matchedLength) };
  }
  if (regexRewrite?.pattern) {
    const { pathOnly } = splitPath(path);
    const replaced = regexGlobalReplace(regexOf(regexRewrite.pattern), pathOnly, regexRewrite.substitution ?? '');
    return { by: 'regex_rewrite', from: path, to: replaced + path.slice(pathOnly.length) };
  }
  return undefined;
}
