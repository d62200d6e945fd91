// @switchyard/controller: Switchyard in a Kubernetes cluster.
export { runController, XDS_SERVICE_NAME, XDS_SERVICE_PORT, LEASE_NAME, DEFAULT_DRAIN_MS, type ControllerOptions, type RunningController } from './run.js';
export {
  fleetSpec,
  fleetObjects,
  fleetObjectName,
  proxyConfigRef,
  DEFAULT_FLEET,
  type FleetSpec,
  type FleetDefaults,
  type ProxyConfig,
  type ProxyConfigSpec,
  type WorkloadKind,
  type ServiceType,
} from './fleet.js';
export { renderBootstrap, bootstrapVariables, type BootstrapValues } from './bootstrap.js';
export { WATCHED_KINDS, type WatchedKind } from './kinds.js';
export { CONFIG_REJECTED_CONDITION } from './gateway-status.js';
export { KubeClient, ApiError } from './rest.js';
