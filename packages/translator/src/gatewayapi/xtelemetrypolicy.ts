// XTelemetryPolicy (gateway.networking.x-k8s.io/v1alpha1, experimental): a
// GEP-713 Direct Attached Policy giving the Gateways it targets their
// tracing. Its settings become Envoy's OpenTelemetry tracing on every HTTP
// connection manager of the Gateway's fleet (envoy/observability.ts), the
// spans exported over OTLP/gRPC to provider.backendRef's Service through
// that Service's cluster (HTTP/2; a BackendTLSPolicy on it adds TLS).
//
// Which policy: at most one applies to a Gateway; among valid policies
// targeting it the oldest wins, then the first by namespace/name (the API's
// rule); the others are Accepted=False, reason Conflicted, on that Gateway.
// A policy that is invalid (the CRD's rules, for objects from files) or
// asks for what Envoy cannot do (xtelemetrypolicy-spec.ts) applies nowhere
// and takes part in no conflict.
//
// With a ProxyConfig (switchyard.dev) that also sets tracing, the policy
// wins: it is the portable API and it names the Gateway itself. So
// tracing.mode Enabled or Disabled decides the Gateway's tracing, and the
// ProxyConfig's spec.tracing is not applied there (the Gateway's
// switchyard.dev/ProxyConfigApplied condition and the ProxyConfig's status
// say so). ImplementationDefault leaves tracing to the ProxyConfig.
import {
  GATEWAY_GROUP,
  GATEWAY_X_GROUP,
  compareByCreationThenName,
  setCondition,
  type Condition,
  type Gateway,
  type ParentReference,
  type PolicyAncestorStatus,
  type TracingMode,
  type XTelemetryPolicy,
} from '@switchyard/api';
import type { TracingIR } from '../extensions/ir.js';
import { PROXY_CONFIG_CONDITION } from '../extensions/fleet.js';
import { proxyConfigsOf } from '../extensions/proxyconfig.js';
import type { ClusterIR, FleetIR } from '../ir/ir.js';
import { resolveBackend } from './backends.js';
import { condition, ConditionType, type PendingCondition } from './conditions.js';
import type { TranslationContext } from './context.js';
import type { UpstreamTlsApplier } from './fleet.js';
import type { GatewayState } from './gateway.js';
import type { ObjectStatus, StatusContext } from './status.js';
import { attributeSource, percentOf, telemetryPolicySpecProblem, tracingSupportProblem } from './xtelemetrypolicy-spec.js';

/** The collector is an HTTP/2 cluster, never a TCP cluster behind a Terminate listener: nothing to re-encrypt as TLSRoute traffic. */
const NONE_REENCRYPTED: ReadonlySet<string> = new Set();

export const TELEMETRY_POLICY_KIND = 'XTelemetryPolicy';

interface AncestorState {
  readonly key: string;
  readonly ref: ParentReference;
  accepted: PendingCondition;
}

interface PolicyState {
  readonly object: XTelemetryPolicy;
  readonly key: string;
  readonly namespace: string;
  /** Why the policy applies nowhere (a spec problem, or a setting Envoy cannot honour). */
  readonly invalid?: string;
  readonly mode: TracingMode;
  readonly resolvedRefs?: PendingCondition;
  /** The collector's cluster: mode Enabled with a resolved backendRef. */
  readonly collector?: ClusterIR;
  readonly ancestors: AncestorState[];
}

const ACCEPTED_BY_MODE: Record<TracingMode, string> = {
  Enabled: 'Policy accepted: tracing on',
  Disabled: 'Policy accepted: tracing off',
  ImplementationDefault:
    "Policy accepted: tracing.mode ImplementationDefault leaves this Gateway's tracing to its ProxyConfig's spec.tracing (off without one)",
};

export class TelemetryPolicies {
  private readonly policies: PolicyState[] = [];
  /** Gateway key -> the policy that applies to it. */
  private readonly owners = new Map<string, PolicyState>();

  constructor(
    private readonly ctx: TranslationContext,
    gateways: ReadonlyMap<string, GatewayState>,
  ) {
    const objects = ctx.snapshot
      .list<XTelemetryPolicy>(GATEWAY_X_GROUP, TELEMETRY_POLICY_KIND)
      .filter((o) => o && o.metadata && typeof o.metadata.name === 'string')
      .sort(compareByCreationThenName);
    for (const o of objects) this.policies.push(this.attach(this.resolve(o), gateways));
  }

  private resolve(o: XTelemetryPolicy): PolicyState {
    const namespace = o.metadata.namespace ?? '';
    const base = { object: o, key: `${namespace}/${o.metadata.name}`, namespace, ancestors: [] };
    const invalid = telemetryPolicySpecProblem(o.spec) ?? tracingSupportProblem(o.spec!.tracing!);
    if (invalid) return { ...base, invalid, mode: 'ImplementationDefault' };
    const tracing = o.spec!.tracing!;
    const mode = tracing.mode ?? 'ImplementationDefault';
    if (mode !== 'Enabled' || !tracing.provider)
      return { ...base, mode, resolvedRefs: condition(ConditionType.ResolvedRefs, true, 'ResolvedRefs', 'No references to resolve') };
    const field = 'spec.tracing.provider.backendRef';
    const r = resolveBackend(tracing.provider.backendRef, { group: GATEWAY_X_GROUP, kind: TELEMETRY_POLICY_KIND, namespace }, 'grpc', field, this.ctx);
    if (!r.ok)
      return {
        ...base,
        mode,
        resolvedRefs: condition(ConditionType.ResolvedRefs, false, r.reason, `${r.message}; no spans are exported until it resolves`),
      };
    const b = r.cluster.backend;
    return {
      ...base,
      mode,
      collector: r.cluster,
      resolvedRefs: condition(ConditionType.ResolvedRefs, true, 'ResolvedRefs', `${field}: spans go to Service ${b.namespace}/${b.name}:${b.port}`),
    };
  }

  /** One ancestor per distinct target (GEP-713): our Gateways, and targets that are not Gateways or do not exist. */
  private attach(p: PolicyState, gateways: ReadonlyMap<string, GatewayState>): PolicyState {
    const refs = Array.isArray(p.object.spec?.targetRefs) ? p.object.spec.targetRefs : [];
    for (const [i, t] of refs.entries()) {
      if (!t || typeof t.name !== 'string' || typeof t.kind !== 'string') continue;
      const group = typeof t.group === 'string' ? t.group : '';
      const ref: ParentReference = { group, kind: t.kind, namespace: p.namespace, name: t.name };
      const key = `${group}/${t.kind}/${t.name}`;
      if (p.ancestors.some((a) => a.key === key)) continue;
      const notFound = (message: string) => p.ancestors.push({ key, ref, accepted: condition(ConditionType.Accepted, false, 'TargetNotFound', message) });
      if (group !== GATEWAY_GROUP || t.kind !== 'Gateway') {
        notFound(`spec.targetRefs[${i}]: ${group || 'core'}/${t.kind} ${t.name} is not a Gateway; XTelemetryPolicy targets Gateways (${GATEWAY_GROUP})`);
        continue;
      }
      const gw = gateways.get(`${p.namespace}/${t.name}`);
      if (!gw) {
        // A Gateway of another controller is not ours to report on.
        if (!this.ctx.snapshot.get<Gateway>(GATEWAY_GROUP, 'Gateway', p.namespace, t.name))
          notFound(`spec.targetRefs[${i}]: Gateway ${p.namespace}/${t.name} not found`);
        continue;
      }
      const owner = this.owners.get(gw.key);
      let accepted: PendingCondition;
      if (p.invalid) accepted = condition(ConditionType.Accepted, false, 'Invalid', p.invalid);
      else if (owner)
        accepted = condition(
          ConditionType.Accepted,
          false,
          'Conflicted',
          `Gateway ${gw.key} already has XTelemetryPolicy ${owner.key} (older, or first by namespace/name); one XTelemetryPolicy applies per Gateway`,
        );
      else {
        this.owners.set(gw.key, p);
        accepted = condition(ConditionType.Accepted, true, 'Accepted', ACCEPTED_BY_MODE[p.mode]);
      }
      p.ancestors.push({ key, ref, accepted });
    }
    return p;
  }

  /** Gateway key -> the policy deciding its tracing (mode Enabled or Disabled): a ProxyConfig's spec.tracing does not apply there. */
  tracingDecidedBy(): ReadonlyMap<string, string> {
    const out = new Map<string, string>();
    for (const [gw, p] of this.owners) if (p.mode !== 'ImplementationDefault') out.set(gw, p.key);
    return out;
  }

  /** The Gateway's fleet with the tracing its policy decides; unchanged without one (or with ImplementationDefault). */
  apply(f: FleetIR, gw: GatewayState, upstreamTls: UpstreamTlsApplier): FleetIR {
    const p = this.owners.get(gw.key);
    if (!p || p.mode === 'ImplementationDefault') return f;
    const { tracing: replaced, ...rest } = f.observability ?? {};
    if (replaced) this.reportOverride(p, gw);
    let clusters = f.clusters;
    let secrets = f.secrets;
    let tracing: TracingIR | undefined;
    if (p.mode === 'Enabled' && p.collector) {
      tracing = tracingOf(p, p.collector, gw);
      if (!clusters.some((c) => c.name === p.collector!.name)) {
        const applied = upstreamTls([p.collector], gw, NONE_REENCRYPTED);
        clusters = [...clusters, ...applied.clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        secrets = [...secrets, ...applied.secrets.filter((s) => !secrets.some((x) => x.name === s.name))];
      }
    }
    const observability = { ...rest, ...(tracing ? { tracing } : {}) };
    const { observability: _old, ...fleet } = f;
    void _old;
    return { ...fleet, clusters, secrets, ...(Object.keys(observability).length > 0 ? { observability } : {}) };
  }

  /** The ProxyConfig's tracing is not applied: the Gateway and the policy say so (one condition per type on the Gateway). */
  private reportOverride(p: PolicyState, gw: GatewayState): void {
    const pcs = proxyConfigsOf(gw.object, this.ctx.snapshot)
      .filter((pc) => pc.spec?.tracing !== undefined)
      .map((pc) => `${pc.metadata.namespace ?? ''}/${pc.metadata.name}`);
    const names = pcs.length > 0 ? pcs.join(' + ') : '(unknown)';
    const message = `ProxyConfig ${names}: spec.tracing is not applied: XTelemetryPolicy ${p.key} targets this Gateway and takes precedence`;
    const i = gw.conditions.findIndex((c) => c.type === PROXY_CONFIG_CONDITION);
    if (i >= 0) {
      const prior = gw.conditions[i]!;
      gw.conditions[i] = condition(PROXY_CONFIG_CONDITION, false, prior.reason, `${prior.message}; ${message}`);
    } else gw.conditions.push(condition(PROXY_CONFIG_CONDITION, false, 'Overridden', message));
    const a = p.ancestors.find((x) => x.ref.group === GATEWAY_GROUP && x.ref.kind === 'Gateway' && x.ref.name === gw.name);
    if (a) a.accepted = { ...a.accepted, message: `${a.accepted.message}; overrides the spec.tracing of ProxyConfig ${names}` };
  }

  /** One status per policy with an ancestor of ours, now or in its previous status (so stale entries go). */
  statuses(sc: StatusContext): ObjectStatus[] {
    const out: ObjectStatus[] = [];
    for (const p of this.policies) {
      const o = p.object;
      const prev = Array.isArray(o.status?.ancestors) ? o.status.ancestors.filter((a) => !!a) : [];
      if (p.ancestors.length === 0 && !prev.some((a) => a.controllerName === sc.controllerName)) continue;
      const ours: PolicyAncestorStatus[] = p.ancestors.map((a) => {
        const previous = prev.find(
          (x) =>
            x.controllerName === sc.controllerName &&
            x.ancestorRef?.name === a.ref.name &&
            (x.ancestorRef?.kind ?? 'Gateway') === a.ref.kind &&
            (x.ancestorRef?.group ?? GATEWAY_GROUP) === a.ref.group,
        )?.conditions;
        const conditions: Condition[] = [];
        for (const c of [a.accepted, ...(p.resolvedRefs ? [p.resolvedRefs] : [])])
          setCondition(conditions, { ...c, ...(o.metadata.generation !== undefined ? { observedGeneration: o.metadata.generation } : {}) }, previous, sc.now);
        return { ancestorRef: { ...a.ref }, controllerName: sc.controllerName, conditions };
      });
      out.push({
        apiVersion: o.apiVersion,
        kind: TELEMETRY_POLICY_KIND,
        namespace: p.namespace,
        name: o.metadata.name,
        status: { ancestors: [...prev.filter((a) => a.controllerName !== sc.controllerName), ...ours] },
      });
    }
    return out;
  }
}

function tracingOf(p: PolicyState, collector: ClusterIR, gw: GatewayState): TracingIR {
  const t = p.object.spec!.tracing!;
  const b = collector.backend;
  const authority = collector.discovery.type === 'dns' ? collector.discovery.hostname : `${b.name}.${b.namespace}.svc`;
  const headers = t.provider?.headers ?? [];
  const attributes = t.attributes ?? [];
  return {
    collector: { kind: 'cluster', cluster: collector.name, authority },
    samplingPercent: t.samplingRate ? percentOf(t.samplingRate) : 100,
    serviceName: t.serviceName ?? gw.key,
    ...(t.spanName ? { spanName: t.spanName } : {}),
    ...(attributes.length ? { tags: attributes.map((a) => ({ tag: a.name, ...attributeSource(a) })) } : {}),
    ...(headers.length ? { exportHeaders: headers.map((h) => ({ name: h.name.toLowerCase(), value: h.value })) } : {}),
  };
}
