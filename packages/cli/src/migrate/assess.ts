// `switchyard migrate assess`: the inventory the guide's first phase asks for
// — IngressClasses, Ingresses per class and namespace, hosts, TLS Secrets,
// backends, and every annotation grouped by the controller that reads it,
// each with the outcome the conversion would have.
import type { KubeObject } from '@switchyard/api';
import { compareGroups, worstOutcome } from './annotations.js';
import { convert, type ConvertOptions } from './convert.js';
import { isDefaultClass, isIngress, isIngressClass, keyOf, type Ingress, type IngressBackend } from './ingress.js';
import { cmp, type Finding, type Outcome } from './report.js';

export interface ClassInventory {
  readonly name: string;
  /** spec.controller; undefined when the class is referenced but not in the input. */
  readonly controller?: string;
  readonly isDefault: boolean;
  readonly found: boolean;
  readonly ingresses: number;
  readonly namespaces: readonly string[];
}

export type BackendInventory =
  | { readonly kind: 'service'; readonly name: string; readonly port: string }
  | { readonly kind: 'resource'; readonly apiGroup: string; readonly resourceKind: string; readonly name: string };

export interface IngressInventory {
  readonly namespace: string;
  readonly name: string;
  /** The class name, or undefined when the Ingress has none. */
  readonly className?: string;
  readonly classSource: 'field' | 'annotation' | 'default' | 'none';
  readonly hosts: readonly string[];
  readonly tls: ReadonlyArray<{ readonly secretName?: string; readonly hosts: readonly string[] }>;
  readonly backends: readonly BackendInventory[];
  readonly canary: boolean;
  /** Worst outcome over its annotations and findings. */
  readonly outcome: Outcome;
  readonly annotations: ReadonlyArray<{ readonly key: string; readonly value: string; readonly outcome: Outcome; readonly reasons: readonly string[] }>;
  readonly findings: ReadonlyArray<{ readonly field?: string; readonly annotation?: string; readonly outcome: Outcome; readonly message: string }>;
}

export interface AnnotationInventory {
  readonly key: string;
  readonly outcome: Outcome;
  /** "namespace/name" of each Ingress using it. */
  readonly ingresses: readonly string[];
  readonly reasons: readonly string[];
}

export interface AnnotationGroup {
  readonly prefix: string;
  readonly owner: string;
  readonly annotations: readonly AnnotationInventory[];
}

export interface Assessment {
  readonly summary: {
    readonly ingressClasses: number;
    readonly ingresses: number;
    readonly hosts: number;
    readonly tlsSecrets: number;
    readonly outcomes: Readonly<Record<Outcome, number>>;
  };
  readonly ingressClasses: readonly ClassInventory[];
  readonly ingresses: readonly IngressInventory[];
  readonly annotationGroups: readonly AnnotationGroup[];
}

export function assess(objects: readonly KubeObject[], options: ConvertOptions = {}): Assessment {
  const result = convert(objects, options);
  const ingresses = objects.filter(isIngress);
  const classes = objects.filter(isIngressClass);
  const reports = new Map(result.ingresses.map((r) => [`${r.ingress.namespace}/${r.ingress.name}`, r]));
  const findingsByIngress = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (f.object.kind !== 'Ingress' || f.annotation) continue;
    const k = `${f.object.namespace}/${f.object.name}`;
    let l = findingsByIngress.get(k);
    if (!l) findingsByIngress.set(k, (l = []));
    l.push(f);
  }

  const inv: IngressInventory[] = [];
  for (const ing of ingresses) {
    const key = keyOf(ing);
    const r = reports.get(key);
    if (!r) continue; // filtered out by --ingress-class
    const annotations = r.annotations.map((a) => ({ key: a.annotation, value: a.value, outcome: a.outcome, reasons: a.reasons }));
    const findings = (findingsByIngress.get(key) ?? []).map((f) => ({ ...(f.field ? { field: f.field } : {}), outcome: f.outcome, message: f.message }));
    inv.push({
      namespace: ing.metadata.namespace ?? 'default',
      name: ing.metadata.name,
      ...(r.className ? { className: r.className } : {}),
      classSource: r.classSource,
      hosts: hostsOf(ing),
      tls: (ing.spec?.tls ?? []).map((t) => ({ ...(t.secretName ? { secretName: t.secretName } : {}), hosts: [...(t.hosts ?? [])] })),
      backends: backendsOf(ing),
      canary: ing.metadata.annotations?.['nginx.ingress.kubernetes.io/canary'] === 'true',
      outcome: worstOutcome([...annotations.map((a) => a.outcome), ...findings.map((f) => f.outcome)]),
      annotations,
      findings,
    });
  }
  inv.sort((a, b) => cmp(a.className ?? '\uffff', b.className ?? '\uffff') || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));

  const classNames = new Set<string>([...classes.map((c) => c.metadata.name), ...inv.flatMap((i) => (i.className ? [i.className] : []))]);
  const ingressClasses: ClassInventory[] = [...classNames].sort(cmp).map((name) => {
    const c = classes.find((x) => x.metadata.name === name);
    const members = inv.filter((i) => i.className === name);
    return {
      name,
      ...(c?.spec?.controller ? { controller: c.spec.controller } : {}),
      isDefault: c ? isDefaultClass(c) : false,
      found: c !== undefined,
      ingresses: members.length,
      namespaces: [...new Set(members.map((m) => m.namespace))].sort(cmp),
    };
  });

  const groups = new Map<string, { owner: string; byKey: Map<string, { outcomes: Outcome[]; ingresses: string[]; reasons: Set<string> }> }>();
  const inventoried = new Set(inv.map((i) => `${i.namespace}/${i.name}`));
  for (const r of result.ingresses) {
    if (!inventoried.has(`${r.ingress.namespace}/${r.ingress.name}`)) continue;
    for (const a of r.annotations) {
      let g = groups.get(a.group);
      if (!g) groups.set(a.group, (g = { owner: a.owner, byKey: new Map() }));
      let e = g.byKey.get(a.annotation);
      if (!e) g.byKey.set(a.annotation, (e = { outcomes: [], ingresses: [], reasons: new Set() }));
      e.outcomes.push(a.outcome);
      e.ingresses.push(`${r.ingress.namespace}/${r.ingress.name}`);
      for (const reason of a.reasons) e.reasons.add(reason);
    }
  }
  const annotationGroups: AnnotationGroup[] = [...groups.entries()]
    .sort(([a], [b]) => compareGroups(a, b))
    .map(([prefix, g]) => ({
      prefix,
      owner: g.owner,
      annotations: [...g.byKey.entries()]
        .sort(([a], [b]) => cmp(a, b))
        .map(([key, e]) => ({ key, outcome: worstOutcome(e.outcomes), ingresses: e.ingresses.sort(cmp), reasons: [...e.reasons].sort(cmp) })),
    }));

  const outcomes: Record<Outcome, number> = { converted: 0, 'converted-with-caveat': 0, 'not-convertible': 0 };
  for (const i of inv) outcomes[i.outcome]++;
  const allHosts = new Set(inv.flatMap((i) => i.hosts));
  const secrets = new Set(inv.flatMap((i) => i.tls.flatMap((t) => (t.secretName ? [`${i.namespace}/${t.secretName}`] : []))));
  return {
    summary: { ingressClasses: ingressClasses.length, ingresses: inv.length, hosts: allHosts.size, tlsSecrets: secrets.size, outcomes },
    ingressClasses,
    ingresses: inv,
    annotationGroups,
  };
}

function hostsOf(ing: Ingress): string[] {
  const hosts = new Set<string>();
  for (const r of ing.spec?.rules ?? []) hosts.add(r.host ?? '*');
  if (ing.spec?.defaultBackend && (ing.spec.rules ?? []).length === 0) hosts.add('*');
  return [...hosts].sort(cmp);
}

function backendsOf(ing: Ingress): BackendInventory[] {
  const list: IngressBackend[] = [];
  if (ing.spec?.defaultBackend) list.push(ing.spec.defaultBackend);
  for (const r of ing.spec?.rules ?? []) for (const p of r.http?.paths ?? []) list.push(p.backend);
  const out = new Map<string, BackendInventory>();
  for (const b of list) {
    if (b?.service) {
      const port = b.service.port?.number !== undefined ? String(b.service.port.number) : (b.service.port?.name ?? '');
      out.set(`s/${b.service.name}:${port}`, { kind: 'service', name: b.service.name, port });
    } else if (b?.resource) {
      const g = b.resource.apiGroup ?? '';
      out.set(`r/${g}/${b.resource.kind}/${b.resource.name}`, { kind: 'resource', apiGroup: g, resourceKind: b.resource.kind, name: b.resource.name });
    }
  }
  return [...out.entries()].sort(([a], [b]) => cmp(a, b)).map(([, v]) => v);
}

const MARK: Record<Outcome, string> = { converted: 'converted', 'converted-with-caveat': 'caveat', 'not-convertible': 'NOT CONVERTIBLE' };

/** A plain-text table per section; columns padded, no colour, stable order. */
export function renderAssessment(a: Assessment): string {
  const lines: string[] = [];
  const s = a.summary;
  lines.push(
    `${s.ingresses} Ingress(es) in ${s.ingressClasses} class(es), ${s.hosts} host(s), ${s.tlsSecrets} TLS Secret(s): ` +
      `${s.outcomes.converted} convert cleanly, ${s.outcomes['converted-with-caveat']} with caveats, ${s.outcomes['not-convertible']} need manual work`,
  );
  lines.push('', 'INGRESS CLASSES');
  lines.push(
    ...table(
      ['NAME', 'CONTROLLER', 'DEFAULT', 'INGRESSES', 'NAMESPACES'],
      a.ingressClasses.map((c) => [
        c.name,
        c.controller ?? (c.found ? '-' : '(not found)'),
        c.isDefault ? 'yes' : 'no',
        String(c.ingresses),
        c.namespaces.join(',') || '-',
      ]),
    ),
  );
  lines.push('', 'INGRESSES');
  lines.push(
    ...table(
      ['NAMESPACE', 'NAME', 'CLASS', 'HOSTS', 'TLS SECRETS', 'BACKENDS', 'OUTCOME'],
      a.ingresses.map((i) => [
        i.namespace,
        i.name + (i.canary ? ' (canary)' : ''),
        i.className ? i.className + (i.classSource === 'annotation' ? ' (annotation)' : i.classSource === 'default' ? ' (default)' : '') : '(none)',
        i.hosts.join(',') || '-',
        i.tls.map((t) => t.secretName ?? '(default certificate)').join(',') || '-',
        i.backends.map((b) => (b.kind === 'service' ? `${b.name}:${b.port}` : `${b.apiGroup ? `${b.apiGroup}/` : ''}${b.resourceKind}/${b.name}`)).join(',') ||
          '-',
        MARK[i.outcome],
      ]),
    ),
  );
  lines.push('', 'ANNOTATIONS');
  if (a.annotationGroups.length === 0) lines.push('(none)');
  for (const g of a.annotationGroups) {
    lines.push(`${g.prefix || '(no prefix)'} — ${g.owner}`);
    lines.push(
      ...table(
        ['  ANNOTATION', 'INGRESSES', 'OUTCOME', 'REASON'],
        g.annotations.map((x) => [`  ${x.key.slice(g.prefix ? g.prefix.length + 1 : 0)}`, String(x.ingresses.length), MARK[x.outcome], x.reasons.join(' | ')]),
      ),
    );
  }
  const details = a.ingresses.filter((i) => i.findings.some((f) => f.outcome !== 'converted'));
  if (details.length > 0) {
    lines.push('', 'FINDINGS');
    for (const i of details) {
      for (const f of i.findings) {
        if (f.outcome === 'converted') continue;
        lines.push(`${i.namespace}/${i.name}${f.field ? ` ${f.field}` : ''}: ${MARK[f.outcome]}: ${f.message}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

function table(header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['(none)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}
