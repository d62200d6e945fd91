// Names the installed objects (charts/switchyard) share with the controller:
// the Service fleets dial (written into every fleet's bootstrap), the leader
// Lease, and the xDS drain the pods' termination grace period must cover.
export const XDS_SERVICE_NAME = 'switchyard-xds';
export const XDS_SERVICE_PORT = 18000;
export const LEASE_NAME = 'switchyard-controller';
export const DEFAULT_DRAIN_MS = 15_000;
