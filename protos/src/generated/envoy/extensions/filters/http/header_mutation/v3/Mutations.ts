// Original file: /work/main/node_modules/@grpc/grpc-js-xds/deps/envoy-api/envoy/extensions/filters/http/header_mutation/v3/header_mutation.proto

import type { HeaderMutation as _envoy_config_common_mutation_rules_v3_HeaderMutation, HeaderMutation__Output as _envoy_config_common_mutation_rules_v3_HeaderMutation__Output } from '../../../../../../envoy/config/common/mutation_rules/v3/HeaderMutation.js';

export interface Mutations {
  'request_mutations'?: (_envoy_config_common_mutation_rules_v3_HeaderMutation)[];
  'response_mutations'?: (_envoy_config_common_mutation_rules_v3_HeaderMutation)[];
}

export interface Mutations__Output {
  'request_mutations': (_envoy_config_common_mutation_rules_v3_HeaderMutation__Output)[];
  'response_mutations': (_envoy_config_common_mutation_rules_v3_HeaderMutation__Output)[];
}
