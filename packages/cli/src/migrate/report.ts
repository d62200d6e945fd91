// What the migration tells the user about each Ingress: every annotation and
// every field it could not carry over exactly, with the reason. Nothing is
// dropped without a Finding.

/** How far an Ingress setting made it into the Gateway API objects. */
export type Outcome = 'converted' | 'converted-with-caveat' | 'not-convertible';

export interface ObjectId {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Finding {
  readonly object: ObjectId;
  /** The annotation key the finding is about, if any. */
  readonly annotation?: string;
  /** Dotted path of the field the finding is about, e.g. spec.rules[0].http.paths[1].pathType. */
  readonly field?: string;
  readonly outcome: Outcome;
  readonly message: string;
}

export function objectLabel(o: ObjectId): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** "Ingress shop/web: nginx.ingress.kubernetes.io/rewrite-target: not-convertible: …" */
export function formatFinding(f: Finding): string {
  const parts = [objectLabel(f.object)];
  if (f.annotation) parts.push(f.annotation);
  if (f.field) parts.push(f.field);
  parts.push(f.outcome);
  parts.push(f.message);
  return parts.join(': ');
}

const OUTCOME_ORDER: Record<Outcome, number> = { 'not-convertible': 0, 'converted-with-caveat': 1, converted: 2 };

/** Deterministic order: by object, then annotation/field, then outcome and message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    cmp(a.object.kind, b.object.kind) ||
    cmp(a.object.namespace ?? '', b.object.namespace ?? '') ||
    cmp(a.object.name, b.object.name) ||
    cmp(a.annotation ?? '', b.annotation ?? '') ||
    cmp(a.field ?? '', b.field ?? '') ||
    OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] ||
    cmp(a.message, b.message)
  );
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
