// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/config/overload/v3/overload.proto


export interface BufferFactoryConfig {
  'minimum_account_to_track_power_of_two'?: (number);
}

export interface BufferFactoryConfig__Output {
  'minimum_account_to_track_power_of_two': (number);
}
