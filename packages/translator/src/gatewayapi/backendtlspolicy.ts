// BackendTLSPolicy (v1): Envoy originates TLS to the targeted Service ports,
// with the policy's hostname as SNI, the server certificate verified against
// the referenced CA bundles (or the system CAs) and the hostname or the
// listed subjectAltNames, and the Gateway's backend client certificate
// (spec.tls.backend.clientCertificateRef) presented when it has one.
//
// Conflicts (GEP-713): among policies targeting the same Service and
// sectionName, the oldest (then namespace/name) wins; the others are
// Accepted=False/Conflicted. A policy targeting a sectionName and one
// targeting the whole Service do not conflict; the sectionName one applies
// to that port. A policy without a usable CA makes its backends unusable
// (Envoy gets a cluster without endpoints, 503) rather than silently
// sending plain text where the user asked for TLS.
import {
  GATEWAY_GROUP,
  compareByCreationThenName,
  type BackendTLSPolicy,
  type Condition,
  type PolicyAncestorStatus,
  type Service,
  type ServicePort,
  type Gateway,
} from '@switchyard/api';
import { arrayOf } from './shape.js';
import type { ClusterIR, SecretIR, UpstreamTlsIR } from '../ir/ir.js';
import { resolveCaCertificateRefs, resolveCertificateRef } from '../tls/references.js';
import { condition, ConditionType, type PendingCondition } from './conditions.js';
import type { TranslationContext } from './context.js';
import type { GatewayState } from './gateway.js';
import { hostnameProblem } from './hostname.js';
import type { ObjectStatus, StatusContext } from './status.js';
import { setCondition } from '@switchyard/api';

const NO_CLOCK = new Date(0);

/** A LocalObjectReference as written, without a namespace (objects from files skip the CRD's schema). */
function localReference<T>(ref: T): T {
  if (!ref || typeof ref !== 'object' || !('namespace' in ref)) return ref;
  const { namespace: _ignored, ...rest } = ref as T & { namespace?: unknown };
  return rest as T;
}

interface PolicyState {
  readonly object: BackendTLSPolicy;
  readonly key: string;
  accepted: PendingCondition;
  resolvedRefs: PendingCondition;
  /** Upstream TLS when the policy is usable; undefined = the policy blocks its targets. */
  readonly tls?: Omit<UpstreamTlsIR, 'clientCertificateSecret'>;
  readonly caSecret?: SecretIR;
  /** Gateways whose fleets send traffic to a target of this policy (status ancestors). */
  readonly ancestors: Map<string, GatewayState>;
}

/** What applies to one cluster: a usable policy's TLS, or a block with the reason. */
type Applied = { readonly policy: PolicyState };

export class BackendTlsPolicies {
  private readonly policies: PolicyState[] = [];
  /** "ns/service" -> every policy targeting it (conflicted ones too: they report on the same ancestors). */
  private readonly byService = new Map<string, PolicyState[]>();
  /** "ns/service/sectionName" ('' = whole Service) -> winning policy. */
  private readonly byTarget = new Map<string, PolicyState>();

  constructor(private readonly ctx: TranslationContext) {
    const objects = [...ctx.snapshot.list<BackendTLSPolicy>(GATEWAY_GROUP, 'BackendTLSPolicy')]
      .filter((o) => o && o.metadata && typeof o.metadata.name === 'string')
      .sort(compareByCreationThenName);
    for (const o of objects) this.policies.push(this.resolve(o));
  }

  private resolve(o: BackendTLSPolicy): PolicyState {
    const namespace = o.metadata.namespace ?? '';
    const key = `${namespace}/${o.metadata.name}`;
    const ok = (type: string, reason: string, message: string) => condition(type, true, reason, message);
    const state: PolicyState = {
      object: o,
      key,
      accepted: ok(ConditionType.Accepted, 'Accepted', 'Policy accepted'),
      resolvedRefs: ok(ConditionType.ResolvedRefs, 'ResolvedRefs', 'All references resolved'),
      ancestors: new Map(),
    };
    const spec = o.spec;
    const v = spec?.validation;
    const reject = (reason: string, message: string): PolicyState => {
      state.accepted = condition(ConditionType.Accepted, false, reason, message);
      return state;
    };
    if (!spec || !v || typeof v !== 'object') return reject('Invalid', 'spec.validation is required');
    const hostnameIssue = typeof v.hostname === 'string' ? hostnameProblem(v.hostname) : 'is required';
    if (hostnameIssue || (typeof v.hostname === 'string' && v.hostname.includes('*')))
      return reject('Invalid', `spec.validation.hostname: ${hostnameIssue ?? 'must not be a wildcard'}`);
    const sans: Array<{ type: 'Hostname' | 'URI'; value: string }> = [];
    for (const [i, s] of (Array.isArray(v.subjectAltNames) ? v.subjectAltNames : []).entries()) {
      if (s?.type === 'Hostname' && typeof s.hostname === 'string' && s.hostname !== '') sans.push({ type: 'Hostname', value: s.hostname });
      else if (s?.type === 'URI' && typeof s.uri === 'string' && s.uri !== '') sans.push({ type: 'URI', value: s.uri });
      else return reject('Invalid', `spec.validation.subjectAltNames[${i}]: type Hostname needs hostname, type URI needs uri`);
    }
    const refs = Array.isArray(v.caCertificateRefs) ? v.caCertificateRefs : [];
    const wellKnown = v.wellKnownCACertificates;
    if (refs.length > 0 && wellKnown) return reject('Invalid', 'spec.validation: caCertificateRefs and wellKnownCACertificates are mutually exclusive');
    const subjectAltNames = sans.length > 0 ? sans : [{ type: 'Hostname' as const, value: v.hostname }];
    if (wellKnown !== undefined) {
      if (wellKnown !== 'System') return reject('Invalid', `spec.validation.wellKnownCACertificates: ${String(wellKnown)} is not supported (only System)`);
      return { ...state, tls: { sni: v.hostname, trust: { kind: 'System' }, subjectAltNames } };
    }
    if (refs.length === 0) return reject('Invalid', 'spec.validation: one of caCertificateRefs or wellKnownCACertificates is required');
    // caCertificateRefs are LocalObjectReferences: a namespaced kind is always
    // in the policy's namespace (a namespace written in a file is ignored), a
    // ClusterTrustBundle cluster-scoped.
    const ca = resolveCaCertificateRefs(
      refs.map(localReference),
      { group: GATEWAY_GROUP, kind: 'BackendTLSPolicy', namespace },
      'spec.validation.caCertificateRefs',
      this.ctx.snapshot,
      () => true,
      this.ctx.kindServed,
    );
    if (ca.problem) {
      state.resolvedRefs = condition(
        ConditionType.ResolvedRefs,
        false,
        ca.problem.reason === 'InvalidCACertificateKind' ? 'InvalidKind' : 'InvalidCACertificateRef',
        ca.problem.message,
      );
    }
    if (!ca.bundle) return reject('NoValidCACertificate', `spec.validation.caCertificateRefs: no valid CA certificate (${ca.problem?.message ?? 'none'})`);
    return {
      ...state,
      tls: { sni: v.hostname, trust: { kind: 'CaBundle', caSecret: ca.bundle.secretName }, subjectAltNames },
      caSecret: { kind: 'ca', name: ca.bundle.secretName, caPem: ca.bundle.pem },
    };
  }

  /** Decides conflicts once targets are known; call before apply(). */
  private targetsDone = false;
  private decideTargets(): void {
    if (this.targetsDone) return;
    this.targetsDone = true;
    for (const p of this.policies) {
      const ns = p.object.metadata.namespace ?? '';
      const conflicts: string[] = [];
      for (const t of Array.isArray(p.object.spec?.targetRefs) ? p.object.spec.targetRefs : []) {
        if (!t || (t.group ?? '') !== '' || t.kind !== 'Service' || typeof t.name !== 'string') continue;
        const svcKey = `${ns}/${t.name}`;
        const all = this.byService.get(svcKey) ?? [];
        if (!all.includes(p)) all.push(p);
        this.byService.set(svcKey, all);
        const k = `${ns}/${t.name}/${t.sectionName ?? ''}`;
        const owner = this.byTarget.get(k);
        if (owner && owner !== p)
          conflicts.push(
            `Service ${ns}/${t.name}${t.sectionName ? ` sectionName ${t.sectionName}` : ''} is already targeted by the older BackendTLSPolicy ${owner.key}`,
          );
        else this.byTarget.set(k, p);
      }
      if (conflicts.length > 0 && p.accepted.status === 'True') p.accepted = condition(ConditionType.Accepted, false, 'Conflicted', conflicts.join('; '));
    }
  }

  /** The policy for a Service port: one naming its sectionName (port name) wins over one for the whole Service. */
  private policyFor(c: ClusterIR): Applied | undefined {
    this.decideTargets();
    const b = c.backend;
    if (b.kind !== 'Service' || (b.group ?? '') !== '') return undefined;
    const svc = this.ctx.snapshot.get<Service>('', 'Service', b.namespace, b.name);
    const portName = arrayOf<ServicePort>(svc?.spec?.ports).find((p) => p && p.port === b.port)?.name;
    const specific = portName ? this.byTarget.get(`${b.namespace}/${b.name}/${portName}`) : undefined;
    const policy = specific ?? this.byTarget.get(`${b.namespace}/${b.name}/`);
    return policy ? { policy } : undefined;
  }

  /**
   * The clusters of one fleet with upstream TLS applied, and the secrets the
   * fleet then needs (CA bundles, the Gateway's client certificate).
   */
  apply(
    clusters: readonly ClusterIR[],
    gw: GatewayState,
    clientCertificate: SecretIR | undefined,
    reencrypted: ReadonlySet<string>,
  ): { clusters: ClusterIR[]; secrets: SecretIR[] } {
    const secrets = new Map<string, SecretIR>();
    const out = clusters.map((c) => {
      // HTTP and gRPC backends, and the backends of TLSRoutes on a listener
      // that terminates TLS (re-encrypted towards the backend). A TLSRoute
      // passthrough backend already receives the client's TLS, and TCP/UDP
      // routes carry no TLS the policy could describe. The cluster of such a
      // route is shared by name with nothing HTTP (its protocol differs).
      if (c.protocol === 'udp' || (c.protocol === 'tcp' && !reencrypted.has(c.name))) return c;
      const a = this.policyFor(c);
      if (!a) return c;
      for (const p of this.byService.get(`${c.backend.namespace}/${c.backend.name}`) ?? []) p.ancestors.set(gw.key, gw);
      if (!a.policy.tls) return { ...c, blocked: `BackendTLSPolicy ${a.policy.key} is not usable: ${a.policy.accepted.message}` };
      if (a.policy.caSecret) secrets.set(a.policy.caSecret.name, a.policy.caSecret);
      if (clientCertificate) secrets.set(clientCertificate.name, clientCertificate);
      const tls: UpstreamTlsIR = { ...a.policy.tls, ...(clientCertificate ? { clientCertificateSecret: clientCertificate.name } : {}) };
      return { ...c, tls };
    });
    return { clusters: out, secrets: [...secrets.values()] };
  }

  statuses(sc: StatusContext): ObjectStatus[] {
    this.decideTargets();
    return this.policies.map((p) => {
      const o = p.object;
      const prev = Array.isArray(o.status?.ancestors) ? o.status.ancestors : [];
      const others = prev.filter((a) => a && a.controllerName !== sc.controllerName);
      const ours: PolicyAncestorStatus[] = [...p.ancestors.values()]
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((gw) => {
          const ancestorRef = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.namespace, name: gw.name };
          const previous = prev.find(
            (a) =>
              a &&
              a.controllerName === sc.controllerName &&
              a.ancestorRef?.name === gw.name &&
              (a.ancestorRef?.namespace ?? o.metadata.namespace) === gw.namespace,
          )?.conditions;
          const conditions: Condition[] = [];
          for (const c of [p.accepted, p.resolvedRefs]) {
            setCondition(conditions, { ...c, ...(o.metadata.generation !== undefined ? { observedGeneration: o.metadata.generation } : {}) }, previous, sc.now);
          }
          return { ancestorRef, controllerName: sc.controllerName, conditions };
        });
      return {
        apiVersion: o.apiVersion,
        kind: 'BackendTLSPolicy',
        namespace: o.metadata.namespace ?? '',
        name: o.metadata.name,
        status: { ancestors: [...others, ...ours] },
      };
    });
  }
}

/**
 * Gateway spec.tls.backend.clientCertificateRef: the certificate every
 * upstream TLS connection of the fleet presents. Problems are a Gateway
 * ResolvedRefs=False condition (InvalidClientCertificateRef or
 * RefNotPermitted); the Gateway stays Accepted.
 */
export function gatewayBackendClientCertificate(gw: Gateway, ctx: TranslationContext): { secret?: SecretIR; condition?: PendingCondition } {
  const ref = gw.spec?.tls?.backend?.clientCertificateRef;
  if (!ref) return {};
  const r = resolveCertificateRef(
    ref,
    { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.metadata.namespace ?? '' },
    'spec.tls.backend.clientCertificateRef',
    ctx.snapshot,
    ctx.referenceAllowed,
    NO_CLOCK,
  );
  if (!r.ok)
    return {
      condition: condition(ConditionType.ResolvedRefs, false, r.reason === 'RefNotPermitted' ? 'RefNotPermitted' : 'InvalidClientCertificateRef', r.message),
    };
  return {
    secret: {
      kind: 'certificate',
      name: r.certificate.secretName,
      certificateChainPem: r.certificate.pair.certificateChainPem,
      privateKeyPem: r.certificate.pair.privateKeyPem,
    },
    condition: condition(ConditionType.ResolvedRefs, true, 'ResolvedRefs', 'All references resolved'),
  };
}
