// @switchyard/xds: the ADS gRPC server Envoy connects to, the per-fleet
// snapshot cache it serves from, and the PKI that names fleets.
export { SnapshotCache, type FleetCache, type NackEvent, type EncodeStats } from './snapshot-cache.js';
export { publishFleets, type Published } from './publish-fleets.js';
export { createXdsServer, XDS_TRANSPORT, type XdsServer, type XdsServerOptions, type XdsStreamInfo, type XdsTls } from './server.js';
export type { XdsStatsSnapshot } from './stats.js';
export { createCa, issueCertificate, fleetIdentity, fleetOfIdentity, isFleetId, type CertificateAndKey, type IssueOptions } from './pki.js';
export { adsClientDefinition } from './ads-service.js';
export { fetchFleetResources, XdsFetchError, type XdsSource } from './ads-fetch.js';
export type { StreamMode } from './ads-stream.js';
export { DEFAULT_WRITE_PACING, type WritePacerOptions } from './write-pacer.js';
