// Stage 2: FleetIR -> the Envoy resources one fleet receives. Each resource
// type has its own emitter; order is the IR's (already deterministic).
import type { EnvoyResources } from '@switchyard/protos';
import type { FleetIR } from '../ir/ir.js';
import { cluster } from './cluster.js';
import { clusterLoadAssignment } from './cluster-load-assignment.js';
import { listener } from './listener.js';
import { routeConfiguration } from './route-configuration.js';
import { routeExternalAuths } from './ext-authz.js';
import { secret } from './secret.js';
import { invalidTcpBackendCluster, usesInvalidTcpBackend } from './l4-clusters.js';
import { decorateRouteConfiguration, observabilityResources } from './observability.js';

export function emitFleet(f: FleetIR): EnvoyResources {
  const rateLimitedRouteConfigs = new Set(f.routeConfigs.filter((rc) => rc.virtualHosts.some((vh) => vh.routes.some((r) => r.rateLimit))).map((rc) => rc.name));
  const routeExternalAuth = new Map(f.routeConfigs.map((rc) => [rc.name, routeExternalAuths(rc)] as const).filter(([, a]) => a.length > 0));
  const extra = observabilityResources(f.observability);
  return {
    listeners: [
      ...f.listeners.map((l) => listener(l, { rateLimitedRouteConfigs, routeExternalAuth, ...(f.observability ? { observability: f.observability } : {}) })),
      ...extra.listeners,
    ],
    routes: f.routeConfigs.map((rc) => decorateRouteConfiguration(routeConfiguration(rc), f.observability)),
    clusters: [...f.clusters.map(cluster), ...(usesInvalidTcpBackend(f) ? [invalidTcpBackendCluster()] : []), ...extra.clusters],
    endpoints: f.clusters.flatMap((c) => {
      const cla = clusterLoadAssignment(c);
      return cla ? [cla] : [];
    }),
    secrets: f.secrets.map(secret),
  };
}
