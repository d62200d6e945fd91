// The translator's single entry point: a snapshot of Kubernetes objects in,
// per-fleet Envoy resources and Gateway API statuses out. Pure and
// deterministic; it does no I/O and never throws on user input.
import type { Snapshot } from '@switchyard/api';
import type { EnvoyResources } from '@switchyard/protos';

/** The controllerName GatewayClasses must carry for Switchyard to own them. */
export const CONTROLLER_NAME = 'switchyard.dev/gateway-controller';

/** A fleet is the set of Envoy pods serving one Gateway, keyed "namespace/name". */
export type FleetId = string;

export interface TranslateOptions {
  /** Defaults to CONTROLLER_NAME. */
  readonly controllerName?: string;
  /** RFC 3339 time stamped on conditions that changed (lastTransitionTime). */
  readonly now?: string;
}

/** The status Switchyard computed for one object it owns or reports on. */
export interface ObjectStatus {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: unknown;
}

export interface TranslateResult {
  readonly fleets: ReadonlyMap<FleetId, EnvoyResources>;
  readonly statuses: readonly ObjectStatus[];
}

export function translate(_snapshot: Snapshot, _options: TranslateOptions = {}): TranslateResult {
  // Placeholder until the translator lands (issue 2).
  return { fleets: new Map(), statuses: [] };
}

export * from './explain/index.js';
