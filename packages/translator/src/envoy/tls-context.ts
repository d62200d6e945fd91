// Envoy TLS transport sockets: DownstreamTlsContext for listeners that
// terminate TLS (HTTPS listeners, TLS listeners in Terminate mode) and
// UpstreamTlsContext for clusters that originate it (BackendTLSPolicy, the
// Gateway's backend client certificate). Secrets are referenced by SDS name;
// see sds.ts.
import type { DownstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/DownstreamTlsContext.js';
import type { UpstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext.js';
import type { CommonTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/CommonTlsContext.js';
import type { CertificateValidationContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/CertificateValidationContext.js';
import type { SubjectAltNameMatcher } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/SubjectAltNameMatcher.js';
import type { TransportSocket } from '@switchyard/protos/generated/envoy/config/core/v3/TransportSocket.js';
import { sdsSecretConfig } from './sds.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, UPSTREAM_TLS_CONTEXT_TYPE } from '@switchyard/protos';

export const TLS_TRANSPORT_SOCKET_NAME = 'envoy.transport_sockets.tls';

/**
 * Where Envoy finds the operating system's CA bundle
 * (BackendTLSPolicy wellKnownCACertificates: System). Envoy reads the file
 * itself, in its own container, so the bundle is the one of the Envoy image.
 */
export const SYSTEM_CA_BUNDLE_PATH = '/etc/ssl/certs/ca-certificates.crt';

/** Gateway spec.tls.frontend validation mode (FrontendValidationModeType). */
export type FrontendValidationMode = 'AllowValidOnly' | 'AllowInsecureFallback';

export interface ClientValidation {
  /** SDS name of the CA bundle (validationContextSecret). */
  readonly caSecretName: string;
  readonly mode: FrontendValidationMode;
}

export interface DownstreamTlsOptions {
  /** SDS names of the serving certificates, in certificateRefs order. Envoy picks among them by SNI and key type (RSA and ECDSA side by side). */
  readonly certificateSecretNames: readonly string[];
  /** ALPN offered to clients: ["h2", "http/1.1"] for HTTPS listeners, none for TLS Terminate. */
  readonly alpnProtocols?: readonly string[];
  readonly clientValidation?: ClientValidation;
}

export function downstreamTlsContext(o: DownstreamTlsOptions): DownstreamTlsContext {
  const common: CommonTlsContext = {
    tls_certificate_sds_secret_configs: o.certificateSecretNames.map(sdsSecretConfig),
  };
  if (o.alpnProtocols && o.alpnProtocols.length > 0) common.alpn_protocols = [...o.alpnProtocols];
  const ctx: DownstreamTlsContext = { common_tls_context: common };
  if (o.clientValidation) {
    const insecure = o.clientValidation.mode === 'AllowInsecureFallback';
    if (insecure) {
      // A presented certificate is still verified and its result reported to
      // the backend (x-forwarded-client-cert); an absent or untrusted one
      // does not fail the handshake.
      common.combined_validation_context = {
        default_validation_context: { trust_chain_verification: 'ACCEPT_UNTRUSTED' },
        validation_context_sds_secret_config: sdsSecretConfig(o.clientValidation.caSecretName),
      };
    } else {
      common.validation_context_sds_secret_config = sdsSecretConfig(o.clientValidation.caSecretName);
    }
    ctx.require_client_certificate = { value: !insecure };
  }
  return ctx;
}

/** A SubjectAltName to accept from the upstream (BackendTLSPolicy subjectAltNames). */
export type UpstreamSubjectAltName = { readonly type: 'Hostname'; readonly hostname: string } | { readonly type: 'URI'; readonly uri: string };

export type UpstreamTrust =
  | { readonly kind: 'CaBundle'; readonly caSecretName: string }
  | { readonly kind: 'System' }
  /** No verification of the server certificate: only for a client certificate with no BackendTLSPolicy, which Switchyard never emits on its own. */
  | { readonly kind: 'None' };

export interface UpstreamTlsOptions {
  /** SNI sent to the backend (BackendTLSPolicy validation.hostname). */
  readonly sni?: string;
  readonly trust: UpstreamTrust;
  /**
   * Names the server certificate must carry, any one of them. Per the
   * BackendTLSPolicy spec, when subjectAltNames is empty the hostname is the
   * name to verify.
   */
  readonly subjectAltNames: readonly UpstreamSubjectAltName[];
  /** SDS name of a client certificate to present (Gateway spec.tls.backend.clientCertificateRef). */
  readonly clientCertificateSecretName?: string;
  readonly alpnProtocols?: readonly string[];
}

export function subjectAltNameMatchers(sans: readonly UpstreamSubjectAltName[]): SubjectAltNameMatcher[] {
  // Envoy's DNS SAN matching treats a wildcard in the certificate
  // ("*.example.com") as covering one label, as RFC 6125 says.
  return sans.map((s) => (s.type === 'Hostname' ? { san_type: 'DNS', matcher: { exact: s.hostname } } : { san_type: 'URI', matcher: { exact: s.uri } }));
}

export function upstreamTlsContext(o: UpstreamTlsOptions): UpstreamTlsContext {
  const common: CommonTlsContext = {};
  if (o.clientCertificateSecretName) common.tls_certificate_sds_secret_configs = [sdsSecretConfig(o.clientCertificateSecretName)];
  if (o.alpnProtocols && o.alpnProtocols.length > 0) common.alpn_protocols = [...o.alpnProtocols];
  const sanMatchers = subjectAltNameMatchers(o.subjectAltNames);
  switch (o.trust.kind) {
    case 'CaBundle': {
      // The CA comes over SDS; the SAN matchers belong to this cluster only,
      // so they are merged in from a default validation context.
      const defaults: CertificateValidationContext = {};
      if (sanMatchers.length > 0) defaults.match_typed_subject_alt_names = sanMatchers;
      common.combined_validation_context = {
        default_validation_context: defaults,
        validation_context_sds_secret_config: sdsSecretConfig(o.trust.caSecretName),
      };
      break;
    }
    case 'System': {
      const vc: CertificateValidationContext = { trusted_ca: { filename: SYSTEM_CA_BUNDLE_PATH } };
      if (sanMatchers.length > 0) vc.match_typed_subject_alt_names = sanMatchers;
      common.validation_context = vc;
      break;
    }
    case 'None':
      break;
  }
  const ctx: UpstreamTlsContext = { common_tls_context: common };
  if (o.sni) ctx.sni = o.sni;
  return ctx;
}

export function downstreamTransportSocket(ctx: DownstreamTlsContext): TransportSocket {
  return { name: TLS_TRANSPORT_SOCKET_NAME, typed_config: { '@type': DOWNSTREAM_TLS_CONTEXT_TYPE, ...ctx } };
}

export function upstreamTransportSocket(ctx: UpstreamTlsContext): TransportSocket {
  return { name: TLS_TRANSPORT_SOCKET_NAME, typed_config: { '@type': UPSTREAM_TLS_CONTEXT_TYPE, ...ctx } };
}
