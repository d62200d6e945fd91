// Counters for the controller's metrics endpoint. Plain numbers, read on
// scrape; nothing here allocates per push beyond the map entries.
import type { ResourceTypeUrl } from '@switchyard/protos';

export interface XdsStatsSnapshot {
  /** Connected streams per fleet and mode. */
  readonly streams: Record<string, { sotw: number; delta: number }>;
  /** Responses sent per type URL. */
  readonly pushes: Record<string, number>;
  /** Resources sent (added or updated) per type URL. */
  readonly resourcesSent: Record<string, number>;
  /** Bytes of responses written. */
  readonly bytesSent: number;
  /** ACKs and NACKs received, per fleet. */
  readonly acks: Record<string, number>;
  readonly nacks: Record<string, number>;
  /** Streams refused for missing or invalid identity. */
  readonly rejectedStreams: number;
}

export class XdsStats {
  private readonly streamCounts = new Map<string, { sotw: number; delta: number }>();
  private readonly pushes = new Map<string, number>();
  private readonly resourcesSent = new Map<string, number>();
  private readonly acks = new Map<string, number>();
  private readonly nacks = new Map<string, number>();
  private bytesSent = 0;
  private rejectedStreams = 0;

  streamOpened(fleet: string, mode: 'sotw' | 'delta'): void {
    let c = this.streamCounts.get(fleet);
    if (!c) this.streamCounts.set(fleet, (c = { sotw: 0, delta: 0 }));
    c[mode]++;
  }

  streamClosed(fleet: string, mode: 'sotw' | 'delta'): void {
    const c = this.streamCounts.get(fleet);
    if (!c) return;
    c[mode]--;
    if (c.sotw === 0 && c.delta === 0) this.streamCounts.delete(fleet);
  }

  pushed(typeUrl: ResourceTypeUrl, resources: number, bytes: number): void {
    this.pushes.set(typeUrl, (this.pushes.get(typeUrl) ?? 0) + 1);
    this.resourcesSent.set(typeUrl, (this.resourcesSent.get(typeUrl) ?? 0) + resources);
    this.bytesSent += bytes;
  }

  acked(fleet: string): void {
    this.acks.set(fleet, (this.acks.get(fleet) ?? 0) + 1);
  }

  nacked(fleet: string): void {
    this.nacks.set(fleet, (this.nacks.get(fleet) ?? 0) + 1);
  }

  rejected(): void {
    this.rejectedStreams++;
  }

  snapshot(): XdsStatsSnapshot {
    const obj = <V>(m: Map<string, V>, copy: (v: V) => V): Record<string, V> =>
      Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, copy(v)]));
    return {
      streams: obj(this.streamCounts, (v) => ({ ...v })),
      pushes: obj(this.pushes, (v) => v),
      resourcesSent: obj(this.resourcesSent, (v) => v),
      bytesSent: this.bytesSent,
      acks: obj(this.acks, (v) => v),
      nacks: obj(this.nacks, (v) => v),
      rejectedStreams: this.rejectedStreams,
    };
  }
}
