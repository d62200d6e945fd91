// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/filters/http/cors/v3/cors.proto


export interface Cors {
}

export interface Cors__Output {
}
