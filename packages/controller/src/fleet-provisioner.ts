// Applies each Gateway's fleet objects (leader only) and removes the fleets
// of Gateways that are gone or no longer ours. Owner references make the
// Kubernetes garbage collector delete a fleet with its Gateway; the
// provisioner deletes what the garbage collector cannot know about (a Gateway
// moved to another GatewayClass, a workload kind switched, a deletion missed
// while no replica was leader).
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { GATEWAY_GROUP, SWITCHYARD_GROUP, type Gateway, type GatewayClass, type KubeObject, type Snapshot } from '@switchyard/api';
import { effectiveProxyConfigSpec } from '@switchyard/translator';
import type { KubeClient } from './rest.js';
import type { Discovery } from './discovery.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '@switchyard/api';
import {
  FLEET_NAMESPACE_LABEL,
  GATEWAY_NAME_LABEL,
  SPEC_HASH_ANNOTATION,
  fleetLabels,
  fleetObjects,
  fleetSpec,
  ownerReferenceTo,
  specHash,
  type FleetDefaults,
  type FleetSpec,
  type ProxyConfig,
  DEFAULT_FLEET,
} from './fleet.js';
import { renderBootstrap, type BootstrapValues } from './bootstrap.js';

export interface FleetCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA that signs the xDS server certificate; Envoy verifies the server with it. */
  readonly caPem: string;
}

export interface FleetProvisionerOptions {
  readonly controllerName: string;
  readonly bootstrapTemplate: string;
  readonly xds: Omit<BootstrapValues, 'fleet'>;
  /** Issues a client certificate for a fleet identity (xds pki). */
  readonly issueCertificate: (fleet: string) => Promise<FleetCertificate>;
  /** The current xDS CA certificate: a fleet Secret with another CA is re-issued. */
  readonly caPem: () => string;
  readonly defaults?: FleetDefaults;
  readonly fieldManager?: string;
}

export interface ProvisionResult {
  readonly applied: number;
  readonly deleted: number;
  readonly errors: ReadonlyArray<{ fleet: string; message: string }>;
}

/** Gateways Switchyard serves: of a GatewayClass with our controllerName, not being deleted. */
export function ourGateways(snapshot: Snapshot, controllerName: string): Array<{ gateway: Gateway; gatewayClass: GatewayClass }> {
  const out: Array<{ gateway: Gateway; gatewayClass: GatewayClass }> = [];
  for (const gw of snapshot.list<Gateway>(GATEWAY_GROUP, 'Gateway')) {
    if (gw.metadata.deletionTimestamp) continue;
    const gc = snapshot.get<GatewayClass>(GATEWAY_GROUP, 'GatewayClass', undefined, gw.spec?.gatewayClassName ?? '');
    if (gc?.spec?.controllerName === controllerName) out.push({ gateway: gw, gatewayClass: gc });
  }
  return out;
}

export function specsFor(snapshot: Snapshot, controllerName: string, defaults: FleetDefaults = DEFAULT_FLEET): FleetSpec[] {
  return ourGateways(snapshot, controllerName).map(({ gateway, gatewayClass }) => {
    // The class's ProxyConfig gives defaults, the Gateway's overrides them field by field (the translator's rule, shared).
    const spec = effectiveProxyConfigSpec(gateway, snapshot);
    const pc: ProxyConfig | undefined = spec
      ? {
          apiVersion: `${SWITCHYARD_GROUP}/v1alpha1`,
          kind: 'ProxyConfig',
          metadata: { name: '(effective)', namespace: gateway.metadata.namespace ?? '' },
          spec,
        }
      : undefined;
    return fleetSpec(gateway, gatewayClass, pc, defaults);
  });
}

export function certSecretName(spec: FleetSpec): string {
  return `${spec.name}-xds`;
}

const CERT_RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export class FleetProvisioner {
  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly o: FleetProvisionerOptions,
    private readonly log: Logger,
  ) {}

  private get fieldManager(): string {
    return this.o.fieldManager ?? 'switchyard';
  }

  async reconcile(snapshot: Snapshot, specs: readonly FleetSpec[]): Promise<ProvisionResult> {
    let applied = 0;
    const errors: Array<{ fleet: string; message: string }> = [];
    for (const spec of specs) {
      const gateway = snapshot.get<Gateway>(GATEWAY_GROUP, 'Gateway', spec.namespace, spec.gatewayName);
      if (!gateway?.metadata.uid) continue;
      try {
        applied += await this.reconcileFleet(snapshot, spec, gateway);
      } catch (e) {
        errors.push({ fleet: spec.fleet, message: e instanceof Error ? e.message : String(e) });
        this.log.warn({ fleet: spec.fleet, err: String(e) }, 'fleet provisioning failed');
      }
    }
    const deleted = await this.deleteOrphans(snapshot, specs);
    return { applied, deleted, errors };
  }

  private async reconcileFleet(snapshot: Snapshot, spec: FleetSpec, gateway: Gateway): Promise<number> {
    let applied = 0;
    const owner = ownerReferenceTo(gateway);
    const secretName = certSecretName(spec);
    const secret = snapshot.get<KubeObject & { data?: Record<string, string> }>('', 'Secret', spec.namespace, secretName);
    let certPem = secret?.data?.['tls.crt'] ? unb64(secret.data['tls.crt']) : '';
    if (!secret || this.certNeedsRenewal(secret)) {
      const cert = await this.o.issueCertificate(spec.fleet);
      certPem = cert.certPem;
      const obj = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretName, namespace: spec.namespace, labels: fleetLabels(spec), annotations: { ...spec.annotations }, ownerReferences: [owner] },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': b64(cert.certPem), 'tls.key': b64(cert.keyPem), 'ca.crt': b64(cert.caPem) },
      };
      await this.apply(obj);
      applied++;
      this.log.info({ fleet: spec.fleet, secret: secretName }, 'issued fleet xDS client certificate');
    }
    const bootstrapYaml = renderBootstrap(this.o.bootstrapTemplate, { ...this.o.xds, fleet: spec.fleet });
    const objects = fleetObjects(spec, { owner, bootstrapYaml, certSecretName: secretName, certHash: specHash(certPem) });
    for (const obj of objects) {
      if (obj.kind === 'Service' && spec.ports.length === 0) continue; // a Service needs at least one port
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0]! : '';
      const cur = snapshot.get(group, obj.kind, spec.namespace, obj.metadata.name);
      if (cur?.metadata.annotations?.[SPEC_HASH_ANNOTATION] === obj.metadata.annotations?.[SPEC_HASH_ANNOTATION]) continue;
      await this.apply(obj);
      applied++;
      this.log.info({ fleet: spec.fleet, kind: obj.kind, name: obj.metadata.name }, cur ? 'updated fleet object' : 'created fleet object');
    }
    return applied;
  }

  private certNeedsRenewal(secret: KubeObject & { data?: Record<string, string> }): boolean {
    const ca = secret.data?.['ca.crt'];
    const crt = secret.data?.['tls.crt'];
    if (!ca || !crt || unb64(ca).trim() !== this.o.caPem().trim()) return true;
    try {
      const notAfter = new X509Certificate(unb64(crt)).validTo;
      return Date.parse(notAfter) - Date.now() < CERT_RENEW_BEFORE_MS;
    } catch {
      return true;
    }
  }

  /** Server-side apply: the controller owns exactly the fields it sets, other actors' fields (an HPA's replicas, a cloud LB's annotations) are left alone. */
  private async apply(obj: KubeObject): Promise<void> {
    const path = await this.discovery.objectPath(obj);
    await this.client.patch(path, 'apply', obj, { fieldManager: this.fieldManager, force: 'true' });
  }

  private async deleteOrphans(snapshot: Snapshot, specs: readonly FleetSpec[]): Promise<number> {
    const want = new Map(specs.map((s) => [`${s.namespace}/${s.gatewayName}`, s]));
    let deleted = 0;
    const kinds: Array<[string, string]> = [
      ['apps', 'DaemonSet'],
      ['apps', 'Deployment'],
      ['', 'Service'],
      ['', 'ConfigMap'],
      ['', 'Secret'],
      ['autoscaling', 'HorizontalPodAutoscaler'],
    ];
    for (const [group, kind] of kinds) {
      for (const o of snapshot.list(group, kind)) {
        const l = o.metadata.labels ?? {};
        if (l[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || !l[GATEWAY_NAME_LABEL] || l[FLEET_NAMESPACE_LABEL] !== o.metadata.namespace) continue;
        const spec = want.get(`${o.metadata.namespace}/${l[GATEWAY_NAME_LABEL]}`);
        const keep = spec && (group !== 'apps' || kind === spec.workload) && (kind !== 'HorizontalPodAutoscaler' || spec.autoscaling !== undefined);
        if (keep) continue;
        try {
          await this.client.delete(await this.discovery.objectPath(o), { propagationPolicy: 'Background' });
          deleted++;
          this.log.info({ kind, namespace: o.metadata.namespace, name: o.metadata.name }, 'deleted fleet object no Gateway of ours needs');
        } catch (e) {
          this.log.warn({ kind, namespace: o.metadata.namespace, name: o.metadata.name, err: String(e) }, 'could not delete fleet object');
        }
      }
    }
    return deleted;
  }
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}
function unb64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}
