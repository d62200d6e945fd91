// The rules an Ingress path turns into, before they become HTTPRoute or
// GRPCRoute rules: the matches, and what to do with a matching request.
import type { HTTPBackendRef, HTTPRequestRedirectFilter, HTTPRouteFilter, HTTPRouteMatch, HTTPRouteTimeouts } from '@switchyard/api';

/** What a rule does: forward to backends (with filters), or redirect. */
export type Action =
  | { readonly kind: 'forward'; readonly backendRefs: HTTPBackendRef[]; readonly filters: HTTPRouteFilter[]; readonly timeouts?: HTTPRouteTimeouts }
  | { readonly kind: 'redirect'; readonly redirect: HTTPRequestRedirectFilter };

export interface RulePlan {
  readonly matches: HTTPRouteMatch[];
  readonly action: Action;
}
