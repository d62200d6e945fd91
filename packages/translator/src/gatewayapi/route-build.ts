// What building one route object produces, for every route kind: its
// parent attachments, the IR routes of its valid rules, the clusters they
// use, and the rule-level conditions that go into each parent's status.
import type { ClusterIR, HttpRouteIR } from '../ir/ir.js';
import type { PendingCondition } from './conditions.js';
import type { ParentResult } from './route-parents.js';
import type { L4ActionIR } from './l4-routes.js';

export interface RouteBuild {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** metadata.creationTimestamp ('' if absent): the first precedence tie-breaker across routes. */
  readonly created: string;
  readonly parents: readonly ParentResult[];
  /** IR routes of the valid rules, one per match, in rule/match order (precedence is applied per virtual host). */
  readonly httpRoutes: readonly HttpRouteIR[];
  /** TLSRoute/TCPRoute/UDPRoute: the one rule's weighted backends (placed per listener in l4-fleet.ts). */
  readonly l4?: L4ActionIR;
  /** Every cluster the valid rules use (forwarding and mirrors). */
  readonly clusters: readonly ClusterIR[];
  /** ResolvedRefs for every parent. */
  readonly resolvedRefs: PendingCondition;
  /** Set when some rules were dropped (PartiallyInvalid=True) ... */
  readonly partiallyInvalid?: PendingCondition;
  /** ... or replaces Accepted when every rule is invalid. */
  readonly notAccepted?: PendingCondition;
  /** Fields Switchyard does not act on (removed or renamed in the API), each naming its replacement; said in the Accepted message. */
  readonly ignored?: readonly string[];
}

/** A problem with one field; rule problems drop the rule, ref problems only the reference. */
export interface FieldProblem {
  readonly reason: string;
  readonly message: string;
}
