// Secrets reach Envoy over SDS on the same ADS stream as everything else:
// listeners and clusters name a secret (SdsSecretConfig with an `ads` config
// source) and the fleet's EnvoyResources.secrets carries it. Keeping key
// material out of Listener and Cluster resources means a certificate
// rotation re-sends one Secret, not every listener, and a fleet only ever
// receives the secrets its own listeners and clusters name.
import type { Secret } from '@switchyard/protos';
import type { SdsSecretConfig } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/SdsSecretConfig.js';
import type { TlsCertificatePair } from '../tls/certificate.js';

/** SDS over the ADS stream the Envoy already has (no separate SDS cluster). */
export function sdsSecretConfig(name: string): SdsSecretConfig {
  return { name, sds_config: { ads: {}, resource_api_version: 'V3' } };
}

/** An SDS Secret carrying a certificate chain and its private key. */
export function tlsCertificateSecret(name: string, pair: Pick<TlsCertificatePair, 'certificateChainPem' | 'privateKeyPem'>): Secret {
  return {
    name,
    tls_certificate: {
      certificate_chain: { inline_string: pair.certificateChainPem },
      private_key: { inline_string: pair.privateKeyPem },
    },
  };
}

/** An SDS Secret carrying trusted CA certificates. */
export function validationContextSecret(name: string, caPem: string): Secret {
  return { name, validation_context: { trusted_ca: { inline_string: caPem } } };
}

/**
 * Collects the secrets a fleet needs, by name; the same name added twice
 * must carry the same content (it came from the same objects), so the first
 * one wins. `list()` is sorted by name for deterministic output.
 */
export class SecretSet {
  private readonly byName = new Map<string, Secret>();
  add(secret: Secret): string {
    const name = secret.name ?? '';
    if (!this.byName.has(name)) this.byName.set(name, secret);
    return name;
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  list(): Secret[] {
    return [...this.byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }
}
