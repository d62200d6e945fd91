// The fields of the two ADS request messages that the stream protocol uses,
// decoded (ads-service.ts) and independent of the transport.

/** The fields of a DiscoveryRequest the server uses. */
export interface SotwRequest {
  readonly typeUrl: string;
  readonly versionInfo: string;
  readonly resourceNames: readonly string[];
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}

/** The fields of a DeltaDiscoveryRequest the server uses. */
export interface DeltaRequest {
  readonly typeUrl: string;
  readonly subscribe: readonly string[];
  readonly unsubscribe: readonly string[];
  readonly initialResourceVersions: Readonly<Record<string, string>>;
  readonly responseNonce: string;
  readonly errorDetail?: { readonly code: number; readonly message: string };
}
