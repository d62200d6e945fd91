// Secret (SDS over ADS) from the IR: a certificate chain and key the fleet's
// TLS listeners (and clusters presenting a client certificate) reference by
// name, or a CA bundle for validating peer certificates.
import type { Secret } from '@switchyard/protos';
import type { SecretIR } from '../ir/ir.js';
import { tlsCertificateSecret, validationContextSecret } from './sds.js';

export function secret(s: SecretIR): Secret {
  if (s.kind === 'ca') return validationContextSecret(s.name, s.caPem);
  return tlsCertificateSecret(s.name, { certificateChainPem: s.certificateChainPem, privateKeyPem: s.privateKeyPem });
}
