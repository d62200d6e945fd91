// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/overload/v3/overload.proto


export interface ThresholdTrigger {
  'value'?: (number | string);
}

export interface ThresholdTrigger__Output {
  'value': (number | string);
}
