// Folds rule-level problems of a route into the conditions its parents
// report: ResolvedRefs (first unresolved reference wins the reason), and the
// spec's "drop rule" handling of invalid rules (PartiallyInvalid=True, or
// Accepted=False when no rule is left).
import { condition, ConditionType, RouteReason, type PendingCondition } from './conditions.js';
import type { FieldProblem } from './route-build.js';

export interface RuleVerdicts {
  readonly resolvedRefs: PendingCondition;
  readonly partiallyInvalid?: PendingCondition;
  readonly notAccepted?: PendingCondition;
}

export function ruleVerdicts(
  totalRules: number,
  dropped: ReadonlyArray<{ rule: number; problems: readonly FieldProblem[] }>,
  refProblems: readonly FieldProblem[],
): RuleVerdicts {
  const resolvedRefs =
    refProblems.length === 0
      ? condition(ConditionType.ResolvedRefs, true, RouteReason.ResolvedRefs, 'All references resolved')
      : condition(ConditionType.ResolvedRefs, false, refProblems[0]!.reason, joinMessages(refProblems));
  if (dropped.length === 0) return { resolvedRefs };
  const detail = dropped.map((d) => `rule ${d.rule}: ${d.problems.map((p) => p.message).join('; ')}`).join('; ');
  const reason = dropped[0]!.problems[0]!.reason;
  if (dropped.length >= totalRules) return { resolvedRefs, notAccepted: condition(ConditionType.Accepted, false, reason, `All rules are invalid: ${detail}`) };
  return {
    resolvedRefs,
    // The message prefix "Dropped Rule" is prescribed by the spec.
    partiallyInvalid: condition(ConditionType.PartiallyInvalid, true, RouteReason.UnsupportedValue, `Dropped Rule(s): ${detail}`),
  };
}

function joinMessages(ps: readonly FieldProblem[]): string {
  const msgs = [...new Set(ps.map((p) => p.message))];
  return msgs.length > 5 ? `${msgs.slice(0, 5).join('; ')}; and ${msgs.length - 5} more` : msgs.join('; ');
}
