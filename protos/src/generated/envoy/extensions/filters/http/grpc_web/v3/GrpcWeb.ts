// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto


export interface GrpcWeb {
}

export interface GrpcWeb__Output {
}
