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
import {
  GATEWAY_GROUP,
  SWITCHYARD_GROUP,
  compareByCreationThenName,
  type BackendTLSPolicy,
  type Gateway,
  type GRPCRoute,
  type HTTPBackendRef,
  type HTTPHeaderMatch,
  type HTTPRoute,
  type HTTPRouteFilter,
  type HTTPRouteMatch,
  type HTTPRouteRule,
  type HTTPRouteTimeouts,
  type KubeObject,
  type Listener,
  type ListenerSet,
  type TLSRoute,
  type ParentReference,
  type ReferenceGrant,
  type Service,
} from '@switchyard/api';
import { resolveAnnotation, type AnnotationResult } from './annotations.js';
import { convertBackend, type ServiceLookup } from './backends.js';
import { INGRESS_NGINX_CONTROLLER, classOf, isIngress, isIngressClass, type ClassSource, type HTTPIngressPath, type Ingress } from './ingress.js';
import { Ledger, NGINX_PREFIX, parseNginxAnnotations, type Canary, type NginxSettings } from './nginx-annotations.js';
import { corsFilter } from './cors.js';
import { toGrpcRules } from './grpc-route.js';
import { convertPath, planRewrite, type PathSemantics } from './paths.js';
import type { Action, RulePlan } from './plan.js';
import { redirectFilter } from './redirect.js';
import { cmp, compareFindings, type Finding, type ObjectId, type Outcome } from './report.js';

/** Annotation on generated objects naming what they were converted from. */
export const MIGRATED_FROM = 'switchyard.dev/migrated-from';

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

interface IngressContext {
  readonly ing: Ingress;
  readonly id: ObjectId;
  readonly ns: string;
  readonly settings: NginxSettings;
  readonly ledger: Ledger;
  readonly semantics: PathSemantics;
  readonly findings: Finding[];
  /** backend-protocol GRPC/H2C notes about Service appProtocol, recorded once it is known whether the Ingress became a GRPCRoute. */
  readonly h2cNotes: Array<{ outcome: Outcome; message: string }>;
}

interface GatewayGroup {
  readonly namespace: string;
  readonly name: string;
  readonly className: string;
  readonly contexts: IngressContext[];
  /** HTTPS listeners that live in a ListenerSet rather than the Gateway: listener name -> ListenerSet name. */
  readonly listenerHomes: Map<string, string>;
}

const MAX_LISTENERS = 64;

/** Gateway API PreciseHostname: lower-case DNS name, no port, no wildcard. */
const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

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

/** A Kubernetes name from an IngressClass name (already valid, but be safe with case). */
function gatewayName(className: string): string {
  return dnsName(className) || 'gateway';
}

/** Lower-cases and replaces what a DNS subdomain name cannot hold; "*" becomes "wildcard". */
export function dnsName(s: string): string {
  return s
    .toLowerCase()
    .replace(/\*/g, 'wildcard')
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/\.{2,}/g, '.')
    .slice(0, 200);
}

/** 8 hex digits of FNV-1a: keeps truncated names distinct and stable. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Hands out unique names per kind and namespace: base, base-2, base-3, ... */
class NameRegistry {
  private readonly taken = new Set<string>();
  claim(kind: string, namespace: string, wanted: string): string {
    // Object names are at most 253 characters; leave room for a "-N" suffix.
    const base = wanted.length > 240 ? `${wanted.slice(0, 231).replace(/[-.]+$/, '')}-${shortHash(wanted)}` : wanted;
    let name = base;
    for (let i = 2; this.taken.has(`${kind}/${namespace}/${name}`); i++) name = `${base}-${i}`;
    this.taken.add(`${kind}/${namespace}/${name}`);
    return name;
  }
}

/**
 * ReferenceGrants, one per (name, target namespace), listing the objects
 * granted. The caller names the grant after what needs it, so separate
 * conversions (one class at a time) never produce two different grants of
 * the same name.
 */
class GrantRegistry {
  private readonly grants = new Map<
    string,
    { name: string; ns: string; fromKinds: Set<string>; fromNs: string; toKind: string; names: Set<string>; users?: Set<string> }
  >();
  allow(name: string, fromKind: string, fromNs: string, toKind: string, toNs: string, toName: string, user?: string): void {
    const key = `${toNs}/${name}`;
    let g = this.grants.get(key);
    if (!g) this.grants.set(key, (g = { name, ns: toNs, fromKinds: new Set(), fromNs, toKind, names: new Set() }));
    g.fromKinds.add(fromKind);
    g.names.add(toName);
    if (user) (g.users ??= new Set()).add(user);
  }
  objects(): Array<{ object: ReferenceGrant; users?: Set<string> }> {
    return [...this.grants.values()].map((g) => ({
      object: {
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'ReferenceGrant',
        metadata: { name: g.name, namespace: g.ns },
        spec: {
          from: [...g.fromKinds].sort(cmp).map((kind) => ({ group: GATEWAY_GROUP, kind, namespace: g.fromNs })),
          to: [...g.names].sort(cmp).map((name) => ({ group: '', kind: g.toKind, name })),
        },
      },
      ...(g.users ? { users: g.users } : {}),
    }));
  }
}

interface GatewayEnv {
  readonly gatewayClassName: string;
  readonly allowedRoutes: 'Selector' | 'All';
  readonly services: ServiceLookup;
  readonly secretsKnown: boolean;
  readonly secretIndex: ReadonlySet<string>;
  readonly names: NameRegistry;
  readonly grants: GrantRegistry;
  readonly rateLimits: Map<string, KubeObject>;
  readonly tlsPolicies: Map<string, BackendTLSPolicy>;
  /** Marks an object as needed by an Ingress (for ConvertOptions.select). */
  readonly own: (obj: KubeObject, c: IngressContext) => void;
}

interface TlsHost {
  readonly secretNamespace: string;
  readonly secretName: string;
  readonly from: ObjectId;
}

const HTTP_LISTENER = 'http';

function httpsListenerName(host: string): string {
  return host === '' ? 'https' : `https-${dnsName(host)}`;
}

function passthroughListenerName(host: string): string {
  return `tls-passthrough-${dnsName(host)}`;
}

function convertGateway(g: GatewayGroup, env: GatewayEnv): KubeObject[] {
  const out: KubeObject[] = [];
  const mains = g.contexts.filter((c) => !c.settings.canary);
  const canaries = g.contexts.filter((c) => c.settings.canary);

  // ingress-nginx turns every path of a host into a regex location as soon as
  // one Ingress of that host sets use-regex or rewrite-target.
  const regexHosts = new Set<string>();
  for (const c of g.contexts) {
    if (c.semantics !== 'ingress-nginx' || !(c.settings.useRegex || c.settings.rewriteTarget)) continue;
    for (const r of c.ing.spec?.rules ?? []) regexHosts.add(r.host ?? '');
  }

  // TLS hosts: the oldest Ingress naming a host decides its certificate, as in ingress-nginx.
  const tlsHosts = new Map<string, TlsHost>();
  for (const c of mains) {
    (c.ing.spec?.tls ?? []).forEach((t, i) => {
      const field = `spec.tls[${i}]`;
      if (!t.secretName) {
        c.findings.push({
          object: c.id,
          field: `${field}.secretName`,
          outcome: 'not-convertible',
          message:
            'no secretName: ingress-nginx served its default certificate for these hosts; Gateway API listeners need a certificate, so no HTTPS listener is made for them',
        });
        return;
      }
      if (env.secretsKnown && !env.secretIndex.has(`${c.ns}/${t.secretName}`)) {
        c.findings.push({
          object: c.id,
          field: `${field}.secretName`,
          outcome: 'converted-with-caveat',
          message: `Secret ${c.ns}/${t.secretName} does not exist; the HTTPS listener will report it as an invalid certificate reference`,
        });
      }
      const hosts = t.hosts && t.hosts.length > 0 ? t.hosts : [''];
      for (const host of hosts) {
        const prior = tlsHosts.get(host);
        if (!prior) tlsHosts.set(host, { secretNamespace: c.ns, secretName: t.secretName, from: c.id });
        else if (prior.secretNamespace !== c.ns || prior.secretName !== t.secretName) {
          c.findings.push({
            object: c.id,
            field,
            outcome: 'converted-with-caveat',
            message: `host "${host || '*'}" already has certificate ${prior.secretNamespace}/${prior.secretName} from the older Ingress ${prior.from.namespace}/${prior.from.name}; ingress-nginx used that one too, so this one is not used`,
          });
        }
      }
      if (hosts.length === 1 && hosts[0] === '') {
        c.findings.push({
          object: c.id,
          field: `${field}.hosts`,
          outcome: 'converted-with-caveat',
          message: 'a TLS entry without hosts becomes an HTTPS listener without hostname (every host)',
        });
      }
    });
  }

  // ssl-passthrough: ingress-nginx hands the TLS connections of these hosts
  // to the backend by SNI, before any HTTP processing (plain HTTP on port 80
  // is still served by the Ingress's rules). Gateway API: a TLS listener in
  // Passthrough mode and a TLSRoute; the host gets no HTTPS listener.
  const passthrough = new Map<string, IngressContext>();
  for (const c of mains) {
    if (!c.settings.sslPassthrough || c.semantics !== 'ingress-nginx') continue;
    const ann = NGINX_PREFIX + 'ssl-passthrough';
    for (const r of c.ing.spec?.rules ?? []) {
      const host = r.host ?? '';
      if (!host) {
        c.ledger.record(ann, 'not-convertible', 'a rule without host cannot be passed through: TLS passthrough selects the backend by SNI');
        continue;
      }
      if (passthrough.has(host)) continue;
      passthrough.set(host, c);
      if (tlsHosts.delete(host)) {
        c.ledger.record(
          ann,
          'converted-with-caveat',
          `the TLS certificate listed for ${host} is not used (with passthrough the backend terminates TLS, as under ingress-nginx), and plain HTTP requests for ${host} are served by the rules rather than redirected to HTTPS`,
        );
      }
    }
  }

  // Listeners.
  const listeners: Listener[] = [{ name: HTTP_LISTENER, port: 80, protocol: 'HTTP' }];
  const https: Array<[string, TlsHost | undefined]> = [
    ...tlsHosts.entries(),
    ...[...passthrough.keys()].map((h) => [h, undefined] as [string, undefined]),
  ].sort(([a], [b]) => cmp(a, b));
  // A Gateway holds 64 listeners at most; beyond that the HTTPS listeners go
  // into ListenerSets (64 each) attached to the Gateway.
  const useListenerSets = https.length + 1 > MAX_LISTENERS;
  const listenerSets: Array<{ name: string; listeners: Listener[] }> = [];
  for (const [i, [host, t]] of https.entries()) {
    let home = listeners;
    const listenerName = t ? httpsListenerName(host) : passthroughListenerName(host);
    if (useListenerSets) {
      const k = Math.floor(i / MAX_LISTENERS);
      if (!listenerSets[k]) listenerSets[k] = { name: env.names.claim('ListenerSet', g.namespace, `${g.name}-https-${k + 1}`), listeners: [] };
      home = listenerSets[k].listeners;
      g.listenerHomes.set(listenerName, listenerSets[k].name);
    }
    if (!t) {
      home.push({ name: listenerName, hostname: host, port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } });
      continue;
    }
    const certRef = { name: t.secretName, ...(t.secretNamespace !== g.namespace ? { namespace: t.secretNamespace } : {}) };
    // The grant names the kind holding the certificate reference.
    if (t.secretNamespace !== g.namespace) {
      env.grants.allow(
        dnsName(`from-gateway-${g.namespace}-${g.name}`),
        useListenerSets ? 'ListenerSet' : 'Gateway',
        g.namespace,
        'Secret',
        t.secretNamespace,
        t.secretName,
      );
    }
    home.push({
      name: httpsListenerName(host),
      ...(host ? { hostname: host } : {}),
      port: 443,
      protocol: 'HTTPS',
      tls: { mode: 'Terminate', certificateRefs: [certRef] },
    });
  }
  const routeNamespaces = [...new Set(g.contexts.map((c) => c.ns))].sort(cmp);
  if (routeNamespaces.some((ns) => ns !== g.namespace)) {
    const allowed =
      env.allowedRoutes === 'All'
        ? { namespaces: { from: 'All' as const } }
        : {
            namespaces: {
              from: 'Selector' as const,
              selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In' as const, values: routeNamespaces }] },
            },
          };
    for (const l of [...listeners, ...listenerSets.flatMap((ls) => ls.listeners)]) l.allowedRoutes = allowed;
  }
  const gateway: Gateway = {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'Gateway',
    metadata: { name: g.name, namespace: g.namespace, annotations: { [MIGRATED_FROM]: `IngressClass ${g.className}` } },
    spec: { gatewayClassName: env.gatewayClassName, listeners, ...(useListenerSets ? { allowedListeners: { namespaces: { from: 'Same' as const } } } : {}) },
  };
  out.push(gateway);
  for (const ls of listenerSets) {
    const set: ListenerSet = {
      apiVersion: `${GATEWAY_GROUP}/v1`,
      kind: 'ListenerSet',
      metadata: { name: ls.name, namespace: g.namespace, annotations: { [MIGRATED_FROM]: `IngressClass ${g.className}` } },
      spec: { parentRef: { name: g.name }, listeners: ls.listeners },
    };
    out.push(set);
  }
  if (useListenerSets) {
    g.contexts[0]!.findings.push({
      object: { kind: 'Gateway', namespace: g.namespace, name: g.name },
      field: 'spec.listeners',
      outcome: 'converted',
      message: `${https.length} HTTPS listeners exceed the ${MAX_LISTENERS} a Gateway may hold; they are in the ListenerSets ${listenerSets.map((ls) => ls.name).join(', ')}`,
    });
  }

  // Hosts that have an Ingress which is not gRPC: a GRPCRoute must not share them.
  const nonGrpcHosts = new Set<string>();
  for (const c of mains) {
    if (c.settings.backendProtocol === 'GRPC') continue;
    for (const r of c.ing.spec?.rules ?? []) nonGrpcHosts.add(r.host ?? '');
    if (c.ing.spec?.defaultBackend && (c.ing.spec.rules ?? []).length === 0) nonGrpcHosts.add('');
  }

  // Paths already served, per host: the oldest Ingress wins, as in ingress-nginx.
  const served = new Map<string, ObjectId>();
  // The first Ingress naming a host creates ingress-nginx's server for it; its
  // defaultBackend becomes the host's "/" location.
  const hostOwner = new Map<string, IngressContext>();
  for (const c of mains) for (const r of c.ing.spec?.rules ?? []) if (!hostOwner.has(r.host ?? '')) hostOwner.set(r.host ?? '', c);
  const rootServed = new Set<string>();
  for (const c of mains) {
    for (const r of c.ing.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) if ((p.path ?? '/') === '/' && p.pathType !== 'Exact') rootServed.add(r.host ?? '');
    }
  }
  const usedCanaries = new Set<string>();
  let catchAllTaken: ObjectId | undefined;

  for (const c of mains) {
    const byHost = new Map<string, Array<{ path: HTTPIngressPath; field: string }>>();
    (c.ing.spec?.rules ?? []).forEach((r, ri) => {
      const host = r.host ?? '';
      let list = byHost.get(host);
      if (!list) byHost.set(host, (list = []));
      (r.http?.paths ?? []).forEach((p, pi) => list.push({ path: p, field: `spec.rules[${ri}].http.paths[${pi}]` }));
    });
    const forwardExtras = ingressFilters(c, env);

    for (const [host, paths] of byHost) {
      const groups: RulePlan[][] = [];
      if (c.settings.appRoot) {
        const appRoot = c.settings.appRoot;
        if (!appRoot.startsWith('/')) c.ledger.record(NGINX_PREFIX + 'app-root', 'not-convertible', `app-root "${appRoot}" is not an absolute path`);
        else {
          groups.push([
            {
              matches: [{ path: { type: 'Exact', value: '/' } }],
              action: { kind: 'redirect', redirect: { path: { type: 'ReplaceFullPath', replaceFullPath: appRoot }, statusCode: 302 } },
            },
          ]);
          c.ledger.record(NGINX_PREFIX + 'app-root', 'converted', `requests for exactly "/" are redirected (302) to ${appRoot}`);
        }
      }
      for (const { path, field } of paths) {
        const key = `${host}\u0000${path.path || '/'}\u0000${path.pathType ?? 'ImplementationSpecific'}`;
        const prior = served.get(key);
        if (prior) {
          c.findings.push({
            object: c.id,
            field,
            outcome: 'converted-with-caveat',
            message: `path "${path.path || '/'}" on host "${host || '*'}" is also defined by the older Ingress ${prior.namespace}/${prior.name}; ingress-nginx served the older one, and so does the conversion (this path is left out)`,
          });
          continue;
        }
        served.set(key, c.id);
        const canary = findCanary(canaries, host, path, c, usedCanaries);
        const plans = pathRules(c, path, field, regexHosts.has(host), forwardExtras, env, canary);
        if (plans.length > 0) groups.push(plans);
      }
      // defaultBackend -> the host's "/" location (the catch-all of that host).
      if (c.ing.spec?.defaultBackend && hostOwner.get(host) === c && !rootServed.has(host)) {
        const b = convertBackend(c.ing.spec.defaultBackend, c.ns, c.ns, env.services);
        if (b.kind === 'error') c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'not-convertible', message: b.message });
        else {
          for (const cv of b.caveats) c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'converted-with-caveat', message: cv });
          groups.push([
            { matches: [{ path: { type: 'PathPrefix', value: '/' } }], action: forwardAction(c, [b.ref], forwardExtras, undefined, env, b.service) },
          ]);
        }
      }
      if (groups.length > 0) {
        for (const route of emitRoutes(c, g, host, groups, tlsHosts.has(host), env, !nonGrpcHosts.has(host))) {
          env.own(route, c);
          out.push(route);
        }
      }
    }

    // from-to-www-redirect: ingress-nginx adds a server for the other name of
    // each host that redirects (308) to the host, unless that name has a
    // server of its own.
    if (c.settings.fromToWwwRedirect && c.semantics === 'ingress-nginx') {
      for (const host of byHost.keys()) {
        if (!host || host.startsWith('*')) continue;
        const other = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
        const ann = NGINX_PREFIX + 'from-to-www-redirect';
        if (hostOwner.has(other)) {
          c.ledger.record(ann, 'converted', `${other} has Ingress rules of its own; like ingress-nginx, no redirect is added for it`);
          continue;
        }
        const groups: RulePlan[][] = [
          [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], action: { kind: 'redirect', redirect: { hostname: host, statusCode: 308 } } }],
        ];
        for (const route of emitRoutes(c, g, other, groups, tlsHosts.has(other), env, false, true)) {
          env.own(route, c);
          out.push(route);
        }
        c.ledger.record(
          ann,
          tlsHosts.has(host) && !tlsHosts.has(other) ? 'converted-with-caveat' : 'converted',
          `requests for ${other} are redirected (308) to ${host}` +
            (tlsHosts.has(host) && !tlsHosts.has(other)
              ? `; HTTPS requests for ${other} need a certificate for it (add ${other} to the Ingress's TLS hosts)`
              : ''),
        );
      }
    }

    // An Ingress with only a defaultBackend is ingress-nginx's catch-all server.
    if (c.ing.spec?.defaultBackend && (c.ing.spec.rules ?? []).length === 0) {
      if (catchAllTaken) {
        c.findings.push({
          object: c.id,
          field: 'spec.defaultBackend',
          outcome: 'converted-with-caveat',
          message: `the catch-all backend is already taken by the older Ingress ${catchAllTaken.namespace}/${catchAllTaken.name}; ingress-nginx used that one too, so this one is not used`,
        });
      } else {
        const b = convertBackend(c.ing.spec.defaultBackend, c.ns, c.ns, env.services);
        if (b.kind === 'error') c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'not-convertible', message: b.message });
        else {
          catchAllTaken = c.id;
          for (const cv of b.caveats) c.findings.push({ object: c.id, field: 'spec.defaultBackend', outcome: 'converted-with-caveat', message: cv });
          const groups = [
            [{ matches: [{ path: { type: 'PathPrefix' as const, value: '/' } }], action: forwardAction(c, [b.ref], forwardExtras, undefined, env, b.service) }],
          ];
          for (const route of emitRoutes(c, g, '', groups, tlsHosts.has(''), env, !nonGrpcHosts.has(''))) {
            env.own(route, c);
            out.push(route);
          }
        }
      }
    }
  }

  for (const [host, c] of [...passthrough.entries()].sort(([a], [b]) => cmp(a, b))) {
    const route = tlsRouteFor(c, g, host, env);
    if (route) {
      env.own(route, c);
      out.push(route);
    }
  }

  for (const c of canaries) {
    c.ledger.record(
      NGINX_PREFIX + 'canary',
      usedCanaries.has(keyOfCtx(c)) ? 'converted' : 'not-convertible',
      usedCanaries.has(keyOfCtx(c))
        ? 'merged into the routes of the Ingress it is a canary of'
        : 'no non-canary Ingress of the same class serves the same host and path; ingress-nginx ignores such a canary, and so does the conversion',
    );
    for (const key of Object.keys(c.ing.metadata.annotations ?? {})) {
      if (!key.startsWith(NGINX_PREFIX) || key.slice(NGINX_PREFIX.length).startsWith('canary')) continue;
      if (!c.ledger.has(key))
        c.ledger.record(key, 'converted', "ingress-nginx ignores this annotation on a canary Ingress (the main Ingress's settings apply); nothing to convert");
    }
  }
  return out;
}

/**
 * The TLSRoute of an ssl-passthrough host: ingress-nginx sends the stream to
 * the backend of the host's "/" path (else its first path).
 */
function tlsRouteFor(c: IngressContext, g: GatewayGroup, host: string, env: GatewayEnv): TLSRoute | undefined {
  const ann = NGINX_PREFIX + 'ssl-passthrough';
  const paths = (c.ing.spec?.rules ?? []).filter((r) => (r.host ?? '') === host).flatMap((r) => r.http?.paths ?? []);
  const chosen = paths.find((p) => (p.path || '/') === '/') ?? paths[0];
  const b = convertBackend(chosen?.backend ?? c.ing.spec?.defaultBackend, c.ns, c.ns, env.services);
  if (b.kind === 'error') {
    c.ledger.record(ann, 'not-convertible', `${host}: ${b.message}`);
    return undefined;
  }
  c.ledger.record(ann, 'converted', `TLS for ${host} is passed through (TLS listener in Passthrough mode and a TLSRoute to ${b.ref.name}:${b.ref.port ?? ''})`);
  const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
  const listener = passthroughListenerName(host);
  const set = g.listenerHomes.get(listener);
  const parent: ParentReference = set
    ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName: listener }
    : { name: g.name, ...ns, sectionName: listener };
  const { filters: _none, ...ref } = b.ref;
  return {
    apiVersion: `${GATEWAY_GROUP}/v1`,
    kind: 'TLSRoute',
    metadata: {
      name: env.names.claim('TLSRoute', c.ns, `${c.ing.metadata.name}-${dnsName(host)}`),
      namespace: c.ns,
      annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
    },
    spec: { parentRefs: [parent], hostnames: [host], rules: [{ backendRefs: [ref] }] },
  };
}

function keyOfCtx(c: IngressContext): string {
  return `${c.ns}/${c.ing.metadata.name}`;
}

interface CanaryMatch {
  readonly ctx: IngressContext;
  readonly canary: Canary;
  readonly path: HTTPIngressPath;
  readonly field: string;
}

/** The canary Ingress serving the same host and path as a main Ingress's path (ingress-nginx supports one). */
function findCanary(
  canaries: readonly IngressContext[],
  host: string,
  path: HTTPIngressPath,
  main: IngressContext,
  used: Set<string>,
): CanaryMatch | undefined {
  for (const c of canaries) {
    let found: CanaryMatch | undefined;
    (c.ing.spec?.rules ?? []).forEach((r, ri) => {
      if ((r.host ?? '') !== host || found) return;
      (r.http?.paths ?? []).forEach((p, pi) => {
        if (!found && (p.path || '/') === (path.path || '/'))
          found = { ctx: c, canary: c.settings.canary!, path: p, field: `spec.rules[${ri}].http.paths[${pi}]` };
      });
    });
    if (found) {
      if (c.ns !== main.ns) {
        c.findings.push({
          object: c.id,
          outcome: 'converted-with-caveat',
          message: `canary for Ingress ${main.ns}/${main.ing.metadata.name} in another namespace: its backend is referenced across namespaces with a ReferenceGrant`,
        });
      }
      used.add(keyOfCtx(c));
      return found;
    }
  }
  return undefined;
}

/** The rules one Ingress path becomes: canary header/cookie rules first (they win ties by order), then the path itself. */
function pathRules(
  c: IngressContext,
  path: HTTPIngressPath,
  field: string,
  regexHost: boolean,
  extras: IngressFilters,
  env: GatewayEnv,
  canary: CanaryMatch | undefined,
): RulePlan[] {
  const s = c.settings;
  // The match, and a rewrite when rewrite-target applies.
  let match: HTTPRouteMatch;
  let rewrite: HTTPRouteFilter | undefined;
  const pc = convertPath(path.path, path.pathType, { regexHost, semantics: c.semantics });
  if (pc.kind === 'error') {
    c.findings.push({ object: c.id, field: `${field}.path`, outcome: 'not-convertible', message: `${pc.message}; this path is left out` });
    return [];
  }
  match = { path: pc.match };
  let pathCaveats = [...pc.caveats];
  if (s.rewriteTarget && c.semantics === 'ingress-nginx') {
    const plan = planRewrite(path.path, s.rewriteTarget);
    const ann = NGINX_PREFIX + 'rewrite-target';
    switch (plan.kind) {
      case 'full':
        rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: plan.path } } };
        c.ledger.record(ann, 'converted', `path "${path.path || '/'}" is rewritten to "${plan.path}" (URLRewrite ReplaceFullPath)`);
        break;
      case 'prefix':
        match = { path: { type: 'PathPrefix', value: plan.prefix } };
        pathCaveats = [];
        rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: plan.replace } } };
        c.ledger.record(
          ann,
          'converted-with-caveat',
          `path "${path.path}" -> PathPrefix "${plan.prefix}" with ReplacePrefixMatch "${plan.replace}": ${plan.caveats.join('; ')}`,
        );
        break;
      case 'inexpressible':
        c.ledger.record(ann, 'not-convertible', `${plan.message}; the route forwards without rewriting`);
        break;
    }
  }
  for (const cv of pathCaveats) {
    const ann = s.useRegex ? NGINX_PREFIX + 'use-regex' : undefined;
    if (ann && path.path && /[.^$*+?()[\]{}|\\]/.test(path.path)) c.ledger.record(ann, 'converted-with-caveat', cv);
    else c.findings.push({ object: c.id, field: `${field}.path`, outcome: 'converted-with-caveat', message: cv });
  }
  if (s.useRegex && c.semantics === 'ingress-nginx' && !c.ledger.has(NGINX_PREFIX + 'use-regex')) {
    c.ledger.record(NGINX_PREFIX + 'use-regex', 'converted', 'paths are RegularExpression matches');
  }

  // Redirect annotations replace the backend for every path of the Ingress.
  if (s.redirect) {
    const r = redirectFilter(s.redirect.url, s.redirect.code);
    if (r.kind === 'ok') {
      c.ledger.record(
        s.redirect.annotation,
        r.caveat ? 'converted-with-caveat' : 'converted',
        r.caveat ?? `RequestRedirect ${s.redirect.code} to ${s.redirect.url}`,
      );
      return [{ matches: [match], action: { kind: 'redirect', redirect: r.filter } }];
    }
    c.ledger.record(s.redirect.annotation, 'not-convertible', `${r.message}; the path forwards to its backend instead`);
  }

  const b = convertBackend(path.backend, c.ns, c.ns, env.services);
  if (b.kind === 'error') {
    c.findings.push({ object: c.id, field: `${field}.backend`, outcome: 'not-convertible', message: `${b.message}; this path is left out` });
    return [];
  }
  for (const cv of b.caveats) c.findings.push({ object: c.id, field: `${field}.backend`, outcome: 'converted-with-caveat', message: cv });
  const mainRef = b.ref;

  if (!canary) return [{ matches: [match], action: forwardAction(c, [mainRef], extras, rewrite, env, b.service) }];

  // Canary: ingress-nginx checks the header, then the cookie, then the weight.
  const cb = convertBackend(canary.path.backend, canary.ctx.ns, c.ns, env.services);
  if (cb.kind === 'error') {
    canary.ctx.findings.push({
      object: canary.ctx.id,
      field: `${canary.field}.backend`,
      outcome: 'not-convertible',
      message: `${cb.message}; the canary is left out`,
    });
    return [{ matches: [match], action: forwardAction(c, [mainRef], extras, rewrite, env, b.service) }];
  }
  if (canary.ctx.ns !== c.ns && cb.service) {
    env.grants.allow(dnsName(`from-httproutes-${c.ns}`), 'HTTPRoute', c.ns, 'Service', cb.service.namespace, cb.service.name, keyOfCtx(c));
  }
  const canaryRef = cb.ref;
  const cl = canary.ctx.ledger;
  const fwd = (refs: HTTPBackendRef[], svc?: { namespace: string; name: string; port: number }) => forwardAction(c, refs, extras, rewrite, env, svc);
  const withHeader = (h: HTTPHeaderMatch): HTTPRouteMatch => ({ ...match, headers: [...(match.headers ?? []), h] });
  const plans: RulePlan[] = [];
  const cn = canary.canary;
  if (cn.header) {
    if (cn.headerValue) {
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: cn.headerValue })], action: fwd([canaryRef], cb.service) });
      cl.record(NGINX_PREFIX + 'canary-by-header-value', 'converted', `requests with header ${cn.header}: ${cn.headerValue} go to the canary`);
    } else if (cn.headerPattern) {
      plans.push({
        matches: [withHeader({ type: 'RegularExpression', name: cn.header, value: `.*(?:${cn.headerPattern}).*` })],
        action: fwd([canaryRef], cb.service),
      });
      cl.record(
        NGINX_PREFIX + 'canary-by-header-pattern',
        'converted-with-caveat',
        'the PCRE pattern is used as an RE2 header match (searched anywhere in the value)',
      );
    } else {
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: 'always' })], action: fwd([canaryRef], cb.service) });
      plans.push({ matches: [withHeader({ type: 'Exact', name: cn.header, value: 'never' })], action: fwd([mainRef], b.service) });
    }
    cl.record(NGINX_PREFIX + 'canary-by-header', 'converted', `header ${cn.header} selects the canary (a header match rule)`);
  }
  if (cn.cookie) {
    const cookieIs = (v: string): HTTPHeaderMatch => ({
      type: 'RegularExpression',
      name: 'Cookie',
      value: `(?:.*;\\s*)?${escapeRegex(cn.cookie!)}=${v}(?:;.*)?`,
    });
    plans.push({ matches: [withHeader(cookieIs('always'))], action: fwd([canaryRef], cb.service) });
    plans.push({ matches: [withHeader(cookieIs('never'))], action: fwd([mainRef], b.service) });
    cl.record(
      NGINX_PREFIX + 'canary-by-cookie',
      'converted-with-caveat',
      `cookie ${cn.cookie}=always / =never is matched with a regular expression on the Cookie header (Gateway API has no cookie match; a request whose cookies are split over several Cookie headers may not match)`,
    );
  }
  if (cn.weight !== undefined && cn.weight > 0) {
    plans.push({
      matches: [match],
      action: fwd(
        [
          { ...mainRef, weight: cn.weightTotal - cn.weight },
          { ...canaryRef, weight: cn.weight },
        ],
        b.service,
      ),
    });
    cl.record(NGINX_PREFIX + 'canary-weight', 'converted', `${cn.weight} of ${cn.weightTotal} requests go to the canary (weighted backendRefs)`);
  } else {
    plans.push({ matches: [match], action: fwd([mainRef], b.service) });
  }
  return plans;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface IngressFilters {
  readonly filters: HTTPRouteFilter[];
  readonly timeouts?: HTTPRouteTimeouts;
}

/** Filters and timeouts every forwarding rule of an Ingress carries: CORS, rate limits, timeouts. */
function ingressFilters(c: IngressContext, env: GatewayEnv): IngressFilters {
  const s = c.settings;
  const filters: HTTPRouteFilter[] = [];
  if (s.upstreamVhost !== undefined) {
    const ann = NGINX_PREFIX + 'upstream-vhost';
    if (PRECISE_HOSTNAME.test(s.upstreamVhost))
      c.ledger.record(ann, 'converted', `URLRewrite hostname ${s.upstreamVhost}: the backend sees Host: ${s.upstreamVhost}`);
    else
      c.ledger.record(
        ann,
        'not-convertible',
        `"${s.upstreamVhost}" is not a plain host name (no port, no nginx variables), which is all Gateway API URLRewrite takes`,
      );
  }
  if (s.xForwardedPrefix !== undefined) {
    filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Forwarded-Prefix', value: s.xForwardedPrefix }] } });
    c.ledger.record(NGINX_PREFIX + 'x-forwarded-prefix', 'converted', `RequestHeaderModifier sets X-Forwarded-Prefix: ${s.xForwardedPrefix}`);
  }
  if (s.cors) {
    const { filter, caveats } = corsFilter(s.cors);
    filters.push({ type: 'CORS', cors: filter });
    c.ledger.record(
      NGINX_PREFIX + 'enable-cors',
      caveats.length ? 'converted-with-caveat' : 'converted',
      caveats.length ? caveats.join('; ') : 'HTTPRoute CORS filter',
    );
  }
  if (s.rateLimits) {
    const units: Array<['rps' | 'rpm', number | undefined, 'Second' | 'Minute']> = [
      ['rps', s.rateLimits.rps, 'Second'],
      ['rpm', s.rateLimits.rpm, 'Minute'],
    ];
    for (const [suffix, n, unit] of units) {
      if (n === undefined) continue;
      const name = env.names.claim('RateLimit', c.ns, `${c.ing.metadata.name}-${suffix}`);
      const rateLimit: KubeObject = {
        apiVersion: `${SWITCHYARD_GROUP}/v1alpha1`,
        kind: 'RateLimit',
        metadata: { name, namespace: c.ns, annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` } },
        spec: { requests: n, unit, burst: n * s.rateLimits.burstMultiplier, key: { type: 'ClientAddress' } },
      };
      env.rateLimits.set(`${c.ns}/${name}`, rateLimit);
      env.own(rateLimit, c);
      filters.push({ type: 'ExtensionRef', extensionRef: { group: SWITCHYARD_GROUP, kind: 'RateLimit', name } });
      c.ledger.record(
        NGINX_PREFIX + `limit-${suffix}`,
        'converted-with-caveat',
        `RateLimit ${name}: ${n} requests per ${unit.toLowerCase()} per client address, burst ${n * s.rateLimits.burstMultiplier}; like ingress-nginx (per controller pod) it counts per proxy (per Envoy pod), but limited requests get 429 where ingress-nginx answered 503 (its limit-req-status-code default)`,
      );
    }
  }
  let timeouts: HTTPRouteTimeouts | undefined;
  const t = s.timeouts;
  if (t.read !== undefined || t.send !== undefined) {
    const secs = Math.max(t.read ?? 0, t.send ?? 0);
    timeouts = { request: `${secs}s` };
    const msg = `timeouts.request ${secs}s: ingress-nginx's read/send timeouts bound the time between two reads or writes, Gateway API's request timeout bounds the whole request, so long streaming responses may now be cut`;
    if (t.read !== undefined) c.ledger.record(NGINX_PREFIX + 'proxy-read-timeout', 'converted-with-caveat', msg);
    if (t.send !== undefined) c.ledger.record(NGINX_PREFIX + 'proxy-send-timeout', 'converted-with-caveat', msg);
  }
  if (t.connect !== undefined) {
    c.ledger.record(
      NGINX_PREFIX + 'proxy-connect-timeout',
      'not-convertible',
      'Gateway API has no connection timeout towards the backend; the implementation default applies',
    );
  }
  return { filters, ...(timeouts ? { timeouts } : {}) };
}

/** A forwarding action, noting the backend-protocol consequences for the Service behind it. */
function forwardAction(
  c: IngressContext,
  backendRefs: HTTPBackendRef[],
  extras: IngressFilters,
  rewrite: HTTPRouteFilter | undefined,
  env: GatewayEnv,
  service: { namespace: string; name: string; port: number } | undefined,
): Action {
  const bp = c.settings.backendProtocol;
  const ann = NGINX_PREFIX + 'backend-protocol';
  if (service && bp !== 'HTTP') {
    const svc = env.services(service.namespace, service.name);
    const port = svc?.spec?.ports?.find((p) => p.port === service.port);
    if (bp === 'HTTPS' || bp === 'GRPCS') {
      const key = `${service.namespace}/${service.name}`;
      if (!env.tlsPolicies.has(key)) {
        env.tlsPolicies.set(key, {
          apiVersion: `${GATEWAY_GROUP}/v1`,
          kind: 'BackendTLSPolicy',
          metadata: {
            name: env.names.claim('BackendTLSPolicy', service.namespace, `${service.name}-backend-tls`),
            namespace: service.namespace,
            annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
          },
          spec: {
            targetRefs: [{ group: '', kind: 'Service', name: service.name }],
            validation: { hostname: `${service.name}.${service.namespace}.svc`, wellKnownCACertificates: 'System' },
          },
        });
      }
      env.own(env.tlsPolicies.get(key)!, c);
      c.ledger.record(
        ann,
        'converted-with-caveat',
        `BackendTLSPolicy for Service ${key}: Gateway API always verifies the backend's certificate (here against the system CAs for ${service.name}.${service.namespace}.svc) while ingress-nginx did not by default; point validation.caCertificateRefs at your backend's CA` +
          (bp === 'GRPCS' ? '; gRPC over TLS also needs HTTP/2: consider a GRPCRoute' : ''),
      );
    } else if (bp === 'GRPC' || bp === 'H2C') {
      const app = port?.appProtocol;
      if (app === 'kubernetes.io/h2c' || app === 'grpc' || app === 'h2c') {
        c.h2cNotes.push({
          outcome: 'converted',
          message: `Service ${service.namespace}/${service.name} port ${service.port} already declares appProtocol ${app}`,
        });
      } else {
        c.h2cNotes.push({
          outcome: 'converted-with-caveat',
          message: `set appProtocol: kubernetes.io/h2c on port ${service.port} of Service ${service.namespace}/${service.name} so the Gateway speaks HTTP/2 without TLS to it`,
        });
      }
    } else {
      c.ledger.record(ann, 'not-convertible', `backend protocol ${bp} has no Gateway API equivalent; the route forwards HTTP`);
    }
  } else if (bp === 'HTTP' && c.ing.metadata.annotations?.[ann] !== undefined) {
    c.ledger.record(ann, 'converted', 'HTTP is the Gateway API default');
  }
  // upstream-vhost is the Host the backend sees: the hostname of the same URLRewrite filter.
  const host = c.settings.upstreamVhost && PRECISE_HOSTNAME.test(c.settings.upstreamVhost) ? c.settings.upstreamVhost : undefined;
  const urlRewrite = host ? { type: 'URLRewrite' as const, urlRewrite: { hostname: host, ...(rewrite?.urlRewrite ?? {}) } } : rewrite;
  const filters = [...(urlRewrite ? [urlRewrite] : []), ...extras.filters];
  return { kind: 'forward', backendRefs, filters, ...(extras.timeouts ? { timeouts: extras.timeouts } : {}) };
}

/** Turns the rule plans of one Ingress host into HTTPRoutes (16 rules at most each), with the HTTP->HTTPS redirect twin when ingress-nginx would redirect. */
function emitRoutes(
  c: IngressContext,
  g: GatewayGroup,
  host: string,
  groups: RulePlan[][],
  hasTls: boolean,
  env: GatewayEnv,
  grpcHost = false,
  wwwRedirect = false,
): Array<HTTPRoute | GRPCRoute> {
  const s = c.settings;
  if (wwwRedirect) {
    // The redirect to the other name serves both listeners as it is: ingress-nginx sends it before any HTTPS redirect.
    const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
    const parents: ParentReference[] = [{ name: g.name, ...ns, sectionName: HTTP_LISTENER }];
    if (hasTls) {
      const set = g.listenerHomes.get(httpsListenerName(host));
      parents.push(
        set
          ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName: httpsListenerName(host) }
          : { name: g.name, ...ns, sectionName: httpsListenerName(host) },
      );
    }
    return [
      {
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: {
          name: env.names.claim('HTTPRoute', c.ns, `${c.ing.metadata.name}-${dnsName(host)}-www-redirect`),
          namespace: c.ns,
          annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
        },
        spec: { parentRefs: parents, hostnames: [host], rules: groups.flat().map((r) => toRule(r, false)) },
      },
    ];
  }
  const ann = NGINX_PREFIX + 'backend-protocol';
  if (s.backendProtocol === 'GRPC' && c.semantics === 'ingress-nginx') {
    const grpc = grpcHost
      ? toGrpcRules(groups.flat())
      : { ok: false as const, reason: `host "${host || '*'}" also has Ingresses that are not gRPC, and a GRPCRoute may not share a hostname with HTTPRoutes` };
    if (grpc.ok && !(s.forceSslRedirect && !hasTls)) {
      const base = host === '' ? c.ing.metadata.name : `${c.ing.metadata.name}-${dnsName(host)}`;
      const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
      const parent = (sectionName: string): ParentReference => {
        const set = g.listenerHomes.get(sectionName);
        return set ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName } : { name: g.name, ...ns, sectionName };
      };
      const redirect = hasTls && (s.sslRedirect || s.forceSslRedirect);
      const parents = redirect
        ? [parent(httpsListenerName(host))]
        : hasTls
          ? [parent(HTTP_LISTENER), parent(httpsListenerName(host))]
          : [parent(HTTP_LISTENER)];
      c.ledger.record(ann, 'converted', 'a GRPCRoute: Switchyard speaks HTTP/2 to the backends of GRPCRoutes');
      if (redirect) {
        c.ledger.record(
          NGINX_PREFIX + (s.forceSslRedirect ? 'force-ssl-redirect' : 'ssl-redirect'),
          'converted-with-caveat',
          'the GRPCRoute serves the HTTPS listener only: gRPC clients do not follow the redirect ingress-nginx sent for plain-text requests, which now get 404',
        );
      }
      return [
        {
          apiVersion: `${GATEWAY_GROUP}/v1`,
          kind: 'GRPCRoute',
          metadata: {
            name: env.names.claim('GRPCRoute', c.ns, base),
            namespace: c.ns,
            annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` },
          },
          spec: { parentRefs: parents, ...(host ? { hostnames: [host] } : {}), rules: grpc.rules },
        },
      ];
    }
    for (const n of c.h2cNotes)
      c.ledger.record(
        ann,
        n.outcome,
        n.outcome === 'converted' ? n.message : `${n.message} (an HTTPRoute, not a GRPCRoute: ${grpc.ok ? 'force-ssl-redirect without TLS' : grpc.reason})`,
      );
  } else {
    for (const n of c.h2cNotes) c.ledger.record(ann, n.outcome, n.message);
  }
  const base = host === '' ? c.ing.metadata.name : `${c.ing.metadata.name}-${dnsName(host)}`;
  const parent = (sectionName: string): ParentReference => {
    const set = g.listenerHomes.get(sectionName);
    const ns = g.namespace !== c.ns ? { namespace: g.namespace } : {};
    return set ? { group: GATEWAY_GROUP, kind: 'ListenerSet', name: set, ...ns, sectionName } : { name: g.name, ...ns, sectionName };
  };
  const redirectHttp = c.semantics === 'ingress-nginx' && ((hasTls && s.sslRedirect) || s.forceSslRedirect);
  const routes: HTTPRoute[] = [];
  if (c.semantics === 'ingress-nginx') {
    if (hasTls && s.sslRedirect)
      c.ledger.record(NGINX_PREFIX + 'ssl-redirect', 'converted', 'HTTP requests are redirected to HTTPS (308) by a route on the HTTP listener');
    if (hasTls && !s.sslRedirect) c.ledger.record(NGINX_PREFIX + 'ssl-redirect', 'converted', 'the route serves both the HTTP and the HTTPS listener');
    if (s.forceSslRedirect) {
      if (hasTls)
        c.ledger.record(NGINX_PREFIX + 'force-ssl-redirect', 'converted', 'HTTP requests are redirected to HTTPS (308) by a route on the HTTP listener');
      else {
        c.ledger.record(
          NGINX_PREFIX + 'force-ssl-redirect',
          'converted-with-caveat',
          `HTTP requests for "${host || '*'}" are redirected to HTTPS (308), but the Gateway has no HTTPS listener for that host (ingress-nginx answered with its default certificate): add a TLS certificate`,
        );
      }
    }
  }
  const make = (name: string, parents: ParentReference[], plans: RulePlan[][], redirectToHttps: boolean): void => {
    // Keep each path's rules together when splitting at 16 rules per route.
    const chunks: RulePlan[][] = [];
    let cur: RulePlan[] = [];
    for (const grp of plans) {
      if (cur.length + grp.length > 16 && cur.length > 0) {
        chunks.push(cur);
        cur = [];
      }
      cur.push(...grp);
    }
    if (cur.length) chunks.push(cur);
    chunks.forEach((rules, i) => {
      const routeName = env.names.claim('HTTPRoute', c.ns, i === 0 ? name : `${name}-${i + 1}`);
      routes.push({
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'HTTPRoute',
        metadata: { name: routeName, namespace: c.ns, annotations: { [MIGRATED_FROM]: `Ingress ${c.ns}/${c.ing.metadata.name}` } },
        spec: {
          parentRefs: parents,
          ...(host ? { hostnames: [host] } : {}),
          rules: rules.map((r) => toRule(r, redirectToHttps)),
        },
      });
    });
  };
  if (redirectHttp) {
    if (hasTls) make(base, [parent(httpsListenerName(host))], groups, false);
    make(`${base}-https-redirect`, [parent(HTTP_LISTENER)], groups, true);
  } else {
    make(base, hasTls ? [parent(HTTP_LISTENER), parent(httpsListenerName(host))] : [parent(HTTP_LISTENER)], groups, false);
  }
  return routes;
}

function toRule(p: RulePlan, redirectToHttps: boolean): HTTPRouteRule {
  const a = p.action;
  if (a.kind === 'redirect') return { matches: p.matches, filters: [{ type: 'RequestRedirect', requestRedirect: a.redirect }] };
  if (redirectToHttps) return { matches: p.matches, filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] };
  return {
    matches: p.matches,
    ...(a.filters.length ? { filters: a.filters } : {}),
    backendRefs: a.backendRefs,
    ...(a.timeouts ? { timeouts: a.timeouts } : {}),
  };
}

export type { Outcome };
