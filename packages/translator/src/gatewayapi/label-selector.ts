// metav1.LabelSelector evaluation (for allowedRoutes.namespaces.selector).
import type { LabelSelector, LabelSelectorRequirement } from '@switchyard/api';
import { arrayOf, objectOf } from './shape.js';

/** Whether labels satisfy the selector; an invalid selector matches nothing (and is reported by the caller). */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(objectOf<Record<string, string>>(selector.matchLabels) ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of arrayOf<LabelSelectorRequirement>(selector.matchExpressions)) {
    if (!req || typeof req !== 'object') return false;
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = labels[req.key];
    const values = arrayOf<string>(req?.values);
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A message naming what is wrong with a selector, or undefined. */
export function selectorProblem(selector: LabelSelector): string | undefined {
  if (selector.matchExpressions !== undefined && !Array.isArray(selector.matchExpressions)) return 'matchExpressions must be a list';
  for (const req of arrayOf<LabelSelectorRequirement>(selector.matchExpressions)) {
    if (!req || typeof req !== 'object') return 'matchExpressions entries must be objects';
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) return `unknown operator "${String(req.operator)}"`;
    if ((req.operator === 'In' || req.operator === 'NotIn') && arrayOf(req.values).length === 0) return `operator ${req.operator} needs values`;
  }
  return undefined;
}
