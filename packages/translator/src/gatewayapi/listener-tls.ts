// The TLS listener protocols: HTTPS (TLS termination, then HTTP routing) and
// TLS (TLSRoute; Passthrough forwards the encrypted stream by SNI, Terminate
// decrypts and forwards the plain bytes). Both share a port by SNI (family
// "tls"), so HTTPS, TLS Passthrough and TLS Terminate listeners with
// different hostnames may sit on one port (Mixed mode).
//
// Certificates are checked here (tls/references.ts): a listener whose
// certificateRefs do not resolve is ResolvedRefs=False with the reason the
// spec prescribes and is not programmed; the other listeners are unaffected.
import { GATEWAY_GROUP, type FrontendTLSValidation, type Gateway, type Listener } from '@switchyard/api';
import type { DownstreamTlsIR, SecretIR } from '../ir/ir.js';
import { resolveCaCertificateRefs, resolveCertificateRefs, type Referrer } from '../tls/references.js';
import { condition } from './conditions.js';
import type { TranslationContext } from './context.js';
import type { ListenerProtocol, ListenerValidation } from './listener-protocols.js';
import type { ListenerSetOrigin } from './gateway.js';

/** ALPN an HTTPS listener offers: HTTP/2 first, as browsers and the conformance suite's h2 requests expect. */
export const HTTPS_ALPN: readonly string[] = ['h2', 'http/1.1'];

// The translator has no clock (pure output); certificate expiry is never a
// reason to reject, so the time only matters for warnings, which are not
// part of the output.
const NO_CLOCK = new Date(0);

/** Where a listener comes from, for ReferenceGrant checks and messages. */
export interface ListenerOrigin {
  readonly referrer: Referrer;
  /** Field path of the listener, e.g. "spec.listeners[2]". */
  readonly field: string;
}

function gatewayOrigin(gw: Gateway, listenerIndexField: string): ListenerOrigin {
  return { referrer: { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.metadata.namespace ?? '' }, field: listenerIndexField };
}

/** A ListenerSet's listener refers to objects as the ListenerSet (ReferenceGrants name it as `from`). */
function originOf(gw: Gateway, l: Listener, ls: ListenerSetOrigin | undefined): ListenerOrigin {
  if (!ls) return gatewayOrigin(gw, listenerField(gw, l));
  return {
    referrer: { group: GATEWAY_GROUP, kind: 'ListenerSet', namespace: ls.namespace },
    field: `ListenerSet ${ls.namespace}/${ls.name} listener ${l.name}`,
  };
}

function listenerField(gw: Gateway, l: Listener): string {
  const i = Array.isArray(gw.spec?.listeners) ? gw.spec.listeners.indexOf(l) : -1;
  return i >= 0 ? `spec.listeners[${i}]` : `listener ${l.name}`;
}

/**
 * The listener's serving certificates and, when the Gateway asks for client
 * certificates on this port, the client validation. Shared by HTTPS and TLS
 * Terminate, and by ListenerSet listeners (with their own origin).
 */
export function terminateTls(
  l: Listener,
  gw: Gateway,
  origin: ListenerOrigin,
  ctx: TranslationContext,
  alpn: readonly string[] | undefined,
): ListenerValidation {
  const field = `${origin.field}.tls.certificateRefs`;
  const refs = l.tls?.certificateRefs;
  if (!Array.isArray(refs) || refs.length === 0) {
    return { unresolvedRefs: { reason: 'InvalidCertificateRef', message: `${field}: at least one certificate is required to terminate TLS` } };
  }
  const certs = resolveCertificateRefs(refs, origin.referrer, field, ctx.snapshot, ctx.referenceAllowed, NO_CLOCK);
  const secrets: SecretIR[] = certs.certificates.map((c) => ({
    kind: 'certificate',
    name: c.secretName,
    certificateChainPem: c.pair.certificateChainPem,
    privateKeyPem: c.pair.privateKeyPem,
  }));
  const out: { -readonly [K in keyof ListenerValidation]: ListenerValidation[K] } = {};
  if (certs.problem) out.unresolvedRefs = certs.problem;
  const tls: { -readonly [K in keyof DownstreamTlsIR]: DownstreamTlsIR[K] } = { certificateSecrets: certs.certificates.map((c) => c.secretName) };
  if (alpn) tls.alpnProtocols = alpn;

  const validation = frontendValidation(gw, l.port);
  if (validation) {
    const ca = resolveCaCertificateRefs(
      validation.config.caCertificateRefs,
      { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gw.metadata.namespace ?? '' },
      `${validation.field}.caCertificateRefs`,
      ctx.snapshot,
      ctx.referenceAllowed,
      ctx.kindServed,
    );
    if (ca.problem) out.unresolvedRefs = out.unresolvedRefs ?? ca.problem;
    if (!ca.bundle) {
      // Serving without the client validation the Gateway asked for would let
      // unauthenticated clients in: the listener is not accepted at all.
      out.notAccepted = {
        reason: 'NoValidCACertificate',
        message: `${validation.field}.caCertificateRefs: no valid CA certificate (${ca.problem?.message ?? 'none given'})`,
      };
      return out;
    }
    secrets.push({ kind: 'ca', name: ca.bundle.secretName, caPem: ca.bundle.pem });
    const mode = validation.config.mode === 'AllowInsecureFallback' ? 'AllowInsecureFallback' : 'AllowValidOnly';
    tls.clientValidation = { caSecret: ca.bundle.secretName, mode };
    if (mode === 'AllowInsecureFallback') {
      out.gatewayConditions = [
        condition(
          'InsecureFrontendValidationMode',
          true,
          'ConfigurationChanged',
          `${validation.field}.mode is AllowInsecureFallback: clients without a valid certificate are let through on port ${l.port}`,
        ),
      ];
    }
  }
  if (certs.certificates.length > 0) {
    out.tls = tls;
    out.secrets = secrets;
  }
  return out;
}

/** Gateway spec.tls.frontend: the perPort entry for the port, else the default. */
export function frontendValidation(gw: Gateway, port: number): { config: FrontendTLSValidation; field: string } | undefined {
  const frontend = gw.spec?.tls?.frontend;
  if (!frontend || typeof frontend !== 'object') return undefined;
  const perPort = Array.isArray(frontend.perPort) ? frontend.perPort : [];
  const i = perPort.findIndex((p) => p && typeof p === 'object' && p.port === port);
  if (i >= 0) {
    const v = perPort[i]!.tls?.validation;
    return v && typeof v === 'object' ? { config: v, field: `spec.tls.frontend.perPort[${i}].tls.validation` } : undefined;
  }
  const v = frontend.default?.validation;
  return v && typeof v === 'object' ? { config: v, field: 'spec.tls.frontend.default.validation' } : undefined;
}

export const HTTPS: ListenerProtocol = {
  protocol: 'HTTPS',
  transport: 'TCP',
  family: 'tls',
  routeKinds: ['HTTPRoute', 'GRPCRoute'],
  usesHostname: true,
  validate(listener, gateway, ctx, origin) {
    return validateHttps(listener, gateway, originOf(gateway, listener, origin), ctx);
  },
};

export function validateHttps(listener: Listener, gateway: Gateway, origin: ListenerOrigin, ctx: TranslationContext): ListenerValidation {
  if ((listener.tls?.mode ?? 'Terminate') !== 'Terminate') {
    return {
      notAccepted: {
        reason: 'UnsupportedValue',
        message: `${origin.field}.tls.mode: HTTPS listeners terminate TLS; use protocol TLS for ${String(listener.tls?.mode)}`,
      },
    };
  }
  return terminateTls(listener, gateway, origin, ctx, HTTPS_ALPN);
}

export const TLS: ListenerProtocol = {
  protocol: 'TLS',
  transport: 'TCP',
  family: 'tls',
  routeKinds: ['TLSRoute'],
  usesHostname: true,
  validate(listener, gateway, ctx, origin) {
    return validateTls(listener, gateway, originOf(gateway, listener, origin), ctx);
  },
};

export function validateTls(listener: Listener, gateway: Gateway, origin: ListenerOrigin, ctx: TranslationContext): ListenerValidation {
  const mode = listener.tls?.mode ?? 'Terminate';
  if (mode === 'Passthrough') return {}; // certificateRefs are ignored in this mode (spec)
  if (mode !== 'Terminate')
    return { notAccepted: { reason: 'UnsupportedValue', message: `${origin.field}.tls.mode: ${String(mode)} is not Terminate or Passthrough` } };
  if (!listener.tls) return { notAccepted: { reason: 'UnsupportedValue', message: `${origin.field}.tls is required for protocol TLS` } };
  return terminateTls(listener, gateway, origin, ctx, undefined);
}

/** TLS mode of a listener (Terminate is the API default). */
export function tlsModeOf(l: Listener): 'Terminate' | 'Passthrough' {
  return l.tls?.mode === 'Passthrough' ? 'Passthrough' : 'Terminate';
}
