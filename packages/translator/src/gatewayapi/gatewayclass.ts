// GatewayClass: Switchyard owns the classes whose controllerName is its own,
// accepts them, and publishes supportedFeatures. Classes of other controllers
// are left alone (no status).
import { GATEWAY_API_VERSION, GATEWAY_GROUP, type GatewayClass } from '@switchyard/api';
import { condition, ConditionType, GatewayClassReason, type PendingCondition } from './conditions.js';
import type { TranslationContext } from './context.js';
import { supportedFeatures } from './features.js';
import { proxyConfigProblem } from './gateway.js';

export interface GatewayClassState {
  readonly object: GatewayClass;
  readonly accepted: boolean;
  readonly conditions: readonly PendingCondition[];
  readonly supportedFeatures: ReadonlyArray<{ name: string }>;
}

export function resolveGatewayClasses(classes: readonly GatewayClass[], controllerName: string, ctx: TranslationContext): Map<string, GatewayClassState> {
  const out = new Map<string, GatewayClassState>();
  for (const gc of classes) {
    if (gc.spec?.controllerName !== controllerName) continue;
    const conditions: PendingCondition[] = [];
    // parametersRef may name a namespaced switchyard.dev/ProxyConfig (fleet settings the controller reads).
    const ref = gc.spec.parametersRef;
    const problem = ref ? (ref.namespace ? proxyConfigProblem(ref, ref.namespace, ctx) : 'namespace is required for a ProxyConfig') : undefined;
    const accepted = problem === undefined;
    conditions.push(
      accepted
        ? condition(ConditionType.Accepted, true, GatewayClassReason.Accepted, 'Accepted by switchyard')
        : condition(ConditionType.Accepted, false, GatewayClassReason.InvalidParameters, `spec.parametersRef: ${problem}`),
    );
    conditions.push(condition(ConditionType.SupportedVersion, true, GatewayClassReason.SupportedVersion, `Gateway API ${GATEWAY_API_VERSION} CRDs`));
    out.set(gc.metadata.name, { object: gc, accepted, conditions, supportedFeatures: supportedFeatures(ctx.kindServed) });
  }
  return out;
}

export const GATEWAY_CLASS_KIND = { group: GATEWAY_GROUP, kind: 'GatewayClass' } as const;
