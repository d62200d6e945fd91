// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/type/v3/range.proto


export interface DoubleRange {
  'start'?: (number | string);
  'end'?: (number | string);
}

export interface DoubleRange__Output {
  'start': (number | string);
  'end': (number | string);
}
