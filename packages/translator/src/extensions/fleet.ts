// The ProxyConfig's part of a fleet: stage 1 attaches its ObservabilityIR to
// the Gateway's FleetIR. The one thing that can go wrong at this point is a
// Prometheus port that one of the Gateway's own listeners already uses: the
// Gateway's traffic wins, the stats listener is left out, and the Gateway
// says so in a condition rather than Envoy refusing the listener.
import type { Snapshot } from '@switchyard/api';
import type { FleetIR } from '../ir/ir.js';
import { condition, PROXY_CONFIG_CONDITION } from '../gatewayapi/conditions.js';
import type { GatewayState } from '../gatewayapi/gateway.js';
import { effectiveProxyConfigSpec, observabilityOf, proxyConfigsOf } from './proxyconfig.js';

export { PROXY_CONFIG_CONDITION };

export function withProxyConfig(f: FleetIR, gw: GatewayState, snapshot: Snapshot): FleetIR {
  let o = observabilityOf(effectiveProxyConfigSpec(gw.object, snapshot), gw.key);
  if (!o) return f;
  if (o.prometheus) {
    const port = o.prometheus.port;
    const taken = f.listeners.find((l) => l.transport === 'TCP' && l.port === port);
    if (taken) {
      const { prometheus: _dropped, ...rest } = o;
      void _dropped;
      o = rest;
      const refs = proxyConfigsOf(gw.object, snapshot).map((pc) => `${pc.metadata.namespace ?? ''}/${pc.metadata.name}`);
      gw.conditions.push(
        condition(
          PROXY_CONFIG_CONDITION,
          false,
          'PortConflict',
          `ProxyConfig ${refs.join(' + ')}: spec.metrics.prometheus.port ${port} is used by a listener of this Gateway; the Prometheus stats listener is not served (choose another port)`,
        ),
      );
    }
  }
  return Object.keys(o).length > 0 ? { ...f, observability: o } : f;
}
