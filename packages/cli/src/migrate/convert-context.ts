// What the conversion of one Gateway carries: the Ingresses grouped into it
// and the registries every part of it writes to.
import { type BackendTLSPolicy, type KubeObject } from '@switchyard/api';
import { type ServiceLookup } from './backends.js';
import { type Ingress } from './ingress.js';
import { Ledger, type NginxSettings } from './nginx-annotations.js';
import { type PathSemantics } from './paths.js';
import { type Finding, type ObjectId, type Outcome } from './report.js';
import { NameRegistry } from './names.js';
import { GrantRegistry } from './reference-grants.js';

/** Annotation on generated objects naming what they were converted from. */
export const MIGRATED_FROM = 'switchyard.dev/migrated-from';

export interface IngressContext {
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

export interface GatewayGroup {
  readonly namespace: string;
  readonly name: string;
  readonly className: string;
  readonly contexts: IngressContext[];
  /** HTTPS listeners that live in a ListenerSet rather than the Gateway: listener name -> ListenerSet name. */
  readonly listenerHomes: Map<string, string>;
}

export interface GatewayEnv {
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

export interface TlsHost {
  readonly secretNamespace: string;
  readonly secretName: string;
  readonly from: ObjectId;
}

export function keyOfCtx(c: IngressContext): string {
  return `${c.ns}/${c.ing.metadata.name}`;
}
