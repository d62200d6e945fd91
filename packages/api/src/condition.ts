// metav1.Condition and the helper every status computation uses to set one.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

/**
 * Sets a condition in a list, keeping lastTransitionTime when the status did
 * not change (as the Kubernetes API conventions ask), so an unchanged status
 * compares equal and is not written again.
 */
export function setCondition(list: Condition[], next: Condition, previous: readonly Condition[] | undefined, now: string): void {
  const prior = previous?.find((c) => c.type === next.type);
  const lastTransitionTime = prior && prior.status === next.status && prior.lastTransitionTime ? prior.lastTransitionTime : now;
  const merged: Condition = { ...next, lastTransitionTime };
  const i = list.findIndex((c) => c.type === next.type);
  if (i >= 0) list[i] = merged;
  else list.push(merged);
}
