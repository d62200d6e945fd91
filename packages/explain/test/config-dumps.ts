// Renders Envoy resources as Envoy's admin /config_dump would show them
// (proto3 JSON, camelCase, every resource dynamic and active), so tests can
// feed any resources — hand-made or Switchyard's own output — through the
// config dump path of explain.
import { toProto3Json, TypeUrl, type EnvoyResources } from '@switchyard/protos';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

export function configDumpOf(res: EnvoyResources): { configs: Array<Record<string, unknown>> } {
  const json = (url: string, xs: readonly object[]) => xs.map((x) => toProto3Json(url, x));
  return {
    configs: [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: { node: { id: 'envoy-0', cluster: 'test' } } },
      { '@type': `${ADMIN}ClustersConfigDump`, dynamicActiveClusters: json(TypeUrl.Cluster, res.clusters).map((cluster) => ({ versionInfo: '1', cluster })) },
      {
        '@type': `${ADMIN}ListenersConfigDump`,
        dynamicListeners: json(TypeUrl.Listener, res.listeners).map((listener) => ({ name: listener.name, activeState: { versionInfo: '1', listener } })),
      },
      { '@type': `${ADMIN}ScopedRoutesConfigDump` },
      {
        '@type': `${ADMIN}RoutesConfigDump`,
        dynamicRouteConfigs: json(TypeUrl.RouteConfiguration, res.routes).map((routeConfig) => ({ versionInfo: '1', routeConfig })),
      },
      { '@type': `${ADMIN}SecretsConfigDump`, dynamicActiveSecrets: json(TypeUrl.Secret, res.secrets).map((secret) => ({ name: secret.name, secret })) },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        dynamicEndpointConfigs: json(TypeUrl.ClusterLoadAssignment, res.endpoints).map((endpointConfig) => ({ endpointConfig })),
      },
    ],
  };
}
