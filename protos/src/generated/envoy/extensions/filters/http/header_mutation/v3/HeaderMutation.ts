// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/filters/http/header_mutation/v3/header_mutation.proto

import type { Mutations as _envoy_extensions_filters_http_header_mutation_v3_Mutations, Mutations__Output as _envoy_extensions_filters_http_header_mutation_v3_Mutations__Output } from '../../../../../../envoy/extensions/filters/http/header_mutation/v3/Mutations.js';

export interface HeaderMutation {
  'mutations'?: (_envoy_extensions_filters_http_header_mutation_v3_Mutations | null);
  'most_specific_header_mutations_wins'?: (boolean);
}

export interface HeaderMutation__Output {
  'mutations': (_envoy_extensions_filters_http_header_mutation_v3_Mutations__Output | null);
  'most_specific_header_mutations_wins': (boolean);
}
