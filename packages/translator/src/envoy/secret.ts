// Secret (SDS over ADS) from the IR: a certificate chain and key the fleet's
// TLS listeners reference by name.
import type { Secret } from '@switchyard/protos';
import type { SecretIR } from '../ir/ir.js';

export function secret(s: SecretIR): Secret {
  return {
    name: s.name,
    tls_certificate: { certificate_chain: { inline_string: s.certificateChainPem }, private_key: { inline_string: s.privateKeyPem } },
  };
}
