// The part of @switchyard/xds standalone mode relies on, narrowed to what it
// calls, so tests can see exactly what it needs.
import type { SnapshotCache, XdsServer } from '@switchyard/xds';

export type { NackEvent, XdsStreamInfo } from '@switchyard/xds';
export type FleetCache = Pick<SnapshotCache, 'setFleet' | 'deleteFleet' | 'onNack'>;
export type XdsServerHandle = Pick<XdsServer, 'listen' | 'close' | 'streams'>;
