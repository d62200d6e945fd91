// The part of @switchyard/xds standalone mode uses, as the project's shared
// conventions fix it. Declared here so the CLI states exactly what it relies on.
import type { EnvoyResources } from '@switchyard/protos';

export interface NackEvent {
  readonly fleet: string;
  readonly nodeId: string;
  readonly typeUrl: string;
  readonly resourceNames: string[];
  readonly message: string;
  readonly version: string;
  readonly nonce: string;
  readonly at: string;
}

export interface FleetCache {
  setFleet(fleet: string, resources: EnvoyResources): void;
  deleteFleet(fleet: string): void;
  onNack(listener: (e: NackEvent) => void): () => void;
}

export interface XdsStreamInfo {
  readonly fleet: string;
  readonly nodeId: string;
  readonly mode: 'sotw' | 'delta';
}

export interface XdsServerHandle {
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
  streams(): XdsStreamInfo[];
}
