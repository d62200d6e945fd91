// Which fleet an ADS stream belongs to. With mTLS the fleet comes from the
// verified client certificate's URI SAN and nothing the client says can
// change it; in insecure mode it is the node.cluster of the first request.
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import type { NodeInfo } from './ads-service.js';
import { GrpcStatus, type GrpcStatusCode } from './grpc-call.js';
import { certificateUris, fleetOfIdentity, isFleetId } from './pki.js';

export type FleetOrRefusal = { readonly fleet: string } | { readonly code: GrpcStatusCode; readonly reason: string };

/** The fleet of a stream under mTLS from the verified client certificate (DER), or a refusal. */
export function fleetFromCertificate(der: Buffer | undefined): FleetOrRefusal {
  if (!der) return { code: GrpcStatus.UNAUTHENTICATED, reason: 'no client certificate' };
  let uris: string[];
  try {
    uris = certificateUris(new X509Certificate(der));
  } catch {
    return { code: GrpcStatus.UNAUTHENTICATED, reason: 'unreadable client certificate' };
  }
  const fleets = [...new Set(uris.map(fleetOfIdentity).filter((f): f is string => f !== undefined))];
  if (fleets.length !== 1) {
    return {
      code: GrpcStatus.PERMISSION_DENIED,
      reason: fleets.length === 0 ? 'client certificate names no fleet' : 'client certificate names more than one fleet',
    };
  }
  return { fleet: fleets[0]! };
}

/**
 * The fleet of a stream from its first request's node: the certificate's
 * fleet when there is one (a differing claim is only logged), else, in
 * insecure mode, node.cluster if it names a Gateway.
 */
export function fleetOfNode(certFleet: string | undefined, n: NodeInfo, logger: Logger): FleetOrRefusal {
  if (certFleet !== undefined) {
    if (n.cluster !== '' && n.cluster !== certFleet) {
      logger.warn({ fleet: certFleet, nodeId: n.id, claimed: n.cluster }, "xds: node claims another fleet; serving the certificate's fleet");
    }
    return { fleet: certFleet };
  }
  if (!isFleetId(n.cluster)) {
    return {
      code: GrpcStatus.INVALID_ARGUMENT,
      reason: `insecure mode: node.cluster must be the Gateway's "namespace/name", got ${JSON.stringify(n.cluster)}`,
    };
  }
  return { fleet: n.cluster };
}
