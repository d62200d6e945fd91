// networking.k8s.io/v1 Ingress -> Gateway API v1, under ingress-nginx
// semantics. A pure function: objects in, objects and findings out, the same
// output for the same input (objects sorted, names derived from the inputs).
//
// The shape of the output:
// - one Gateway per IngressClass (or per class and namespace), with an HTTP
//   listener for every host, an HTTPS listener per TLS host and a TLS
//   Passthrough listener per ssl-passthrough host (beyond 64 listeners, in
//   ListenerSets attached to the Gateway);
// - per Ingress and host an HTTPRoute (a GRPCRoute for backend-protocol GRPC)
//   in the Ingress's namespace; when ingress-nginx would redirect plain HTTP
//   to HTTPS for that host, the rules go on the HTTPS listener and a twin
//   route on the HTTP listener redirects; TLSRoutes for passthrough hosts;
// - ReferenceGrants for certificates (and canary backends) in other
//   namespaces, RateLimits for limit-rps/limit-rpm, BackendTLSPolicies for
//   HTTPS backends.
import { compareByCreationThenName, type BackendTLSPolicy, type KubeObject, type Service } from '@switchyard/api';
import { resolveAnnotation, type AnnotationResult } from './annotations.js';
import { type ServiceLookup } from './backends.js';
import { INGRESS_NGINX_CONTROLLER, classOf, isIngress, isIngressClass, type ClassSource, type Ingress } from './ingress.js';
import { Ledger, parseNginxAnnotations, type NginxSettings } from './nginx-annotations.js';
import { cmp, compareFindings, type Finding, type ObjectId, type Outcome } from './report.js';
import { type IngressContext, type GatewayGroup, keyOfCtx } from './convert-context.js';
import { gatewayName, NameRegistry } from './names.js';
import { GrantRegistry } from './reference-grants.js';
import { convertGateway } from './gateway.js';

export interface ConvertOptions {
  /** One Gateway per IngressClass (default), or per IngressClass and namespace. */
  readonly gatewayPer?: 'class' | 'namespace';
  /** gatewayClassName of the generated Gateways; default "switchyard". */
  readonly gatewayClassName?: string;
  /** Namespace of per-class Gateways; default: the Ingresses' namespace if they share one, else "default". */
  readonly gatewayNamespace?: string;
  /** How a Gateway admits routes from other namespaces: a Selector naming exactly those namespaces (default), or All. */
  readonly allowedRoutes?: 'Selector' | 'All';
  /** Convert only Ingresses of these classes. */
  readonly ingressClasses?: readonly string[];
  /**
   * Emit only what these Ingresses need (their routes, RateLimits,
   * BackendTLSPolicies, backend ReferenceGrants) and report only on them.
   * Gateways, ListenerSets and certificate ReferenceGrants are still computed
   * from every Ingress, so converting one application at a time gives the same
   * Gateway each time.
   */
  readonly select?: { readonly namespaces?: readonly string[]; readonly ingresses?: readonly string[] };
}

export interface IngressReport {
  readonly ingress: ObjectId;
  readonly className?: string;
  readonly classSource: ClassSource['kind'];
  readonly controller?: string;
  /** Gateway "namespace/name" the Ingress went to, if converted. */
  readonly gateway?: string;
  readonly annotations: readonly AnnotationResult[];
}

export interface ConvertResult {
  readonly objects: readonly KubeObject[];
  readonly findings: readonly Finding[];
  readonly ingresses: readonly IngressReport[];
}

const KIND_ORDER = ['Gateway', 'ListenerSet', 'ReferenceGrant', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'RateLimit', 'BackendTLSPolicy'];

const DEFAULT_SETTINGS: NginxSettings = {
  useRegex: false,
  fromToWwwRedirect: false,
  sslPassthrough: false,
  sslRedirect: false,
  forceSslRedirect: false,
  backendProtocol: 'HTTP',
  timeouts: {},
};

export function convert(objects: readonly KubeObject[], options: ConvertOptions = {}): ConvertResult {
  const gatewayPer = options.gatewayPer ?? 'class';
  const gatewayClassName = options.gatewayClassName ?? 'switchyard';
  const findings: Finding[] = [];
  const classes = objects.filter(isIngressClass);
  const ingresses = objects.filter(isIngress).sort(compareByCreationThenName);
  const serviceIndex = new Map<string, Service>();
  for (const o of objects)
    if (o.kind === 'Service' && o.apiVersion === 'v1') serviceIndex.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o as Service);
  const services: ServiceLookup = (ns, name) => serviceIndex.get(`${ns}/${name}`);
  const secretsKnown = objects.some((o) => o.kind === 'Secret' && o.apiVersion === 'v1');
  const secretIndex = new Set(
    objects.filter((o) => o.kind === 'Secret' && o.apiVersion === 'v1').map((o) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`),
  );

  const reports: IngressReport[] = [];
  const contextsByClass = new Map<string, IngressContext[]>();
  const reportInfo = new Map<IngressContext, { className: string; source: ClassSource['kind']; controller?: string }>();

  for (const ing of ingresses) {
    const ns = ing.metadata.namespace ?? 'default';
    const id: ObjectId = { kind: 'Ingress', namespace: ns, name: ing.metadata.name };
    const ledger = new Ledger();
    const cls = classOf(ing, classes);
    if (cls.kind === 'none') {
      findings.push({
        object: id,
        field: 'spec.ingressClassName',
        outcome: 'not-convertible',
        message:
          'the Ingress has no class (no spec.ingressClassName, no kubernetes.io/ingress.class annotation, no default IngressClass), so no controller serves it; set a class to convert it',
      });
      reports.push({ ingress: id, classSource: 'none', annotations: resolveAll(ing, ledger, true, undefined) });
      continue;
    }
    if (options.ingressClasses && !options.ingressClasses.includes(cls.className)) continue;
    const classObj = classes.find((c) => c.metadata.name === cls.className);
    const controller = classObj?.spec?.controller;
    const nginx = controller === undefined || controller === INGRESS_NGINX_CONTROLLER;
    if (!classObj) {
      findings.push({
        object: id,
        field: 'spec.ingressClassName',
        outcome: 'converted-with-caveat',
        message: `IngressClass "${cls.className}" is not in the input; converted with ingress-nginx semantics`,
      });
    }
    if (cls.kind === 'default') {
      findings.push({
        object: id,
        field: 'spec.ingressClassName',
        outcome: 'converted',
        message: `no class set; the default IngressClass "${cls.className}" applies`,
      });
    }
    const settings = nginx ? parseNginxAnnotations(ing, ledger) : DEFAULT_SETTINGS;
    const ctx: IngressContext = { ing, id, ns, settings, ledger, semantics: nginx ? 'ingress-nginx' : 'ingress-spec', findings, h2cNotes: [] };
    reportInfo.set(ctx, { className: cls.className, source: cls.kind, ...(controller ? { controller } : {}) });
    let list = contextsByClass.get(cls.className);
    if (!list) contextsByClass.set(cls.className, (list = []));
    list.push(ctx);
  }

  // Group into Gateways.
  const groups = new Map<string, GatewayGroup>();
  for (const [className, contexts] of [...contextsByClass.entries()].sort(([a], [b]) => cmp(a, b))) {
    const name = gatewayName(className);
    const namespaces = new Set(contexts.map((c) => c.ns));
    for (const ctx of contexts) {
      let namespace: string;
      if (gatewayPer === 'namespace') namespace = ctx.ns;
      else if (options.gatewayNamespace) namespace = options.gatewayNamespace;
      else namespace = namespaces.size === 1 ? ctx.ns : 'default';
      const key = `${namespace}/${name}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { namespace, name, className, contexts: [], listenerHomes: new Map() }));
      g.contexts.push(ctx);
    }
  }

  const out: KubeObject[] = [];
  const names = new NameRegistry();
  const grants = new GrantRegistry();
  const owners = new Map<KubeObject, Set<string>>();
  const own = (obj: KubeObject, c: IngressContext): void => {
    let set = owners.get(obj);
    if (!set) owners.set(obj, (set = new Set()));
    set.add(keyOfCtx(c));
  };
  const rateLimits = new Map<string, KubeObject>();
  const tlsPolicies = new Map<string, BackendTLSPolicy>();
  const gatewayOf = new Map<IngressContext, string>();

  for (const g of [...groups.values()].sort((a, b) => cmp(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))) {
    const built = convertGateway(g, {
      gatewayClassName,
      allowedRoutes: options.allowedRoutes ?? 'Selector',
      services,
      secretsKnown,
      secretIndex,
      names,
      grants,
      rateLimits,
      tlsPolicies,
      own,
    });
    out.push(...built);
    for (const ctx of g.contexts) gatewayOf.set(ctx, `${g.namespace}/${g.name}`);
  }
  for (const { object, users } of grants.objects()) {
    out.push(object);
    if (users) owners.set(object, users);
  }
  out.push(...rateLimits.values(), ...tlsPolicies.values());

  for (const [ctx, info] of reportInfo) {
    const nginxActive = ctx.semantics === 'ingress-nginx';
    reports.push({
      ingress: ctx.id,
      className: info.className,
      classSource: info.source,
      ...(info.controller ? { controller: info.controller } : {}),
      ...(gatewayOf.has(ctx) ? { gateway: gatewayOf.get(ctx)! } : {}),
      annotations: resolveAll(ctx.ing, ctx.ledger, nginxActive, info.controller),
    });
  }
  reports.sort((a, b) => cmp(a.ingress.namespace ?? '', b.ingress.namespace ?? '') || cmp(a.ingress.name, b.ingress.name));
  // Annotation outcomes are findings too, so `convert` reports them per object.
  for (const r of reports) {
    for (const a of r.annotations) {
      if (a.outcome === 'converted') continue;
      for (const reason of a.reasons) findings.push({ object: r.ingress, annotation: a.annotation, outcome: a.outcome, message: reason });
    }
  }
  const sel = options.select;
  const selected = (key: string): boolean =>
    !sel || (sel.namespaces?.includes(key.slice(0, key.indexOf('/'))) ?? false) || (sel.ingresses?.includes(key) ?? false);
  // Objects without owners belong to a Gateway and are always emitted.
  const objectsOut = out.filter((o) => !owners.has(o) || [...owners.get(o)!].some(selected));
  const findingsOut = findings.filter((f) => f.object.kind !== 'Ingress' || selected(`${f.object.namespace}/${f.object.name}`));
  const reportsOut = reports.filter((r) => selected(`${r.ingress.namespace}/${r.ingress.name}`));
  objectsOut.sort(compareObjects);
  findingsOut.sort(compareFindings);
  return { objects: objectsOut, findings: dedupeFindings(findingsOut), ingresses: reportsOut };
}

function resolveAll(ing: Ingress, ledger: Ledger, nginxActive: boolean, controller: string | undefined): AnnotationResult[] {
  return Object.entries(ing.metadata.annotations ?? {})
    .sort(([a], [b]) => cmp(a, b))
    .map(([k, v]) => resolveAnnotation(k, v, ledger, { nginxActive, controller }));
}

function dedupeFindings(list: Finding[]): Finding[] {
  const seen = new Set<string>();
  return list.filter((f) => {
    const k = JSON.stringify([f.object, f.annotation ?? '', f.field ?? '', f.outcome, f.message]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    cmp(a.metadata.name, b.metadata.name)
  );
}

export type { Outcome };
