// The part of @switchyard/xds standalone mode relies on, narrowed to what it
// calls, so tests can see exactly what it needs.
import type { XdsServer } from '@switchyard/xds';

export type { FleetCache, NackEvent, XdsStreamInfo } from '@switchyard/xds';
export type XdsServerHandle = Pick<XdsServer, 'listen' | 'close' | 'streams'>;
