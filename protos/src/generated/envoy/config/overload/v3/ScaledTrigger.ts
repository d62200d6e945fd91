// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/overload/v3/overload.proto


export interface ScaledTrigger {
  'scaling_threshold'?: (number | string);
  'saturation_threshold'?: (number | string);
}

export interface ScaledTrigger__Output {
  'scaling_threshold': (number | string);
  'saturation_threshold': (number | string);
}
