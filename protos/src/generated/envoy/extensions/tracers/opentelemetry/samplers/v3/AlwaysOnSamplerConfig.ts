// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/tracers/opentelemetry/samplers/v3/always_on_sampler.proto


export interface AlwaysOnSamplerConfig {
}

export interface AlwaysOnSamplerConfig__Output {
}
