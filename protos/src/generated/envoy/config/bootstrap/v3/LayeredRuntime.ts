// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/bootstrap/v3/bootstrap.proto

import type { RuntimeLayer as _envoy_config_bootstrap_v3_RuntimeLayer, RuntimeLayer__Output as _envoy_config_bootstrap_v3_RuntimeLayer__Output } from '../../../../envoy/config/bootstrap/v3/RuntimeLayer.js';

export interface LayeredRuntime {
  'layers'?: (_envoy_config_bootstrap_v3_RuntimeLayer)[];
}

export interface LayeredRuntime__Output {
  'layers': (_envoy_config_bootstrap_v3_RuntimeLayer__Output)[];
}
