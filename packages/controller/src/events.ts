// Kubernetes Events (core/v1) for notable things users should see in
// `kubectl describe`: NACKs, provisioning failures, status write failures.
// Repeats of the same event bump its count instead of creating new objects.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeObject } from '@switchyard/api';
import { ApiError, type KubeClient } from './rest.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecord {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
  readonly annotations?: Record<string, string>;
}

interface CoreEvent extends KubeObject {
  involvedObject: { apiVersion: string; kind: string; namespace?: string; name: string; uid?: string };
  reason: string;
  message: string;
  type: EventType;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  source?: { component: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
}

export class EventRecorder {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly instance: string,
    private readonly log: Logger,
    /** The same event is not re-sent more often than this. */
    private readonly minIntervalMs = 10_000,
  ) {}

  /** Records an event on obj; never throws (events are best effort). */
  async record(obj: KubeObject, e: EventRecord): Promise<void> {
    const ns = obj.metadata.namespace ?? 'default';
    const digest = createHash('sha256').update(`${obj.kind}/${ns}/${obj.metadata.name}/${e.type}/${e.reason}/${e.message}`).digest('hex').slice(0, 16);
    const last = this.recent.get(digest);
    if (last !== undefined && Date.now() - last < this.minIntervalMs) return;
    this.recent.set(digest, Date.now());
    if (this.recent.size > 10_000) this.recent.clear();
    const name = `${obj.metadata.name}.${digest}`.slice(0, 253);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const path = `/api/v1/namespaces/${encodeURIComponent(ns)}/events`;
    const ev: CoreEvent = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns, ...(e.annotations ? { annotations: e.annotations } : {}) },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name,
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
      },
      reason: e.reason,
      message: e.message.slice(0, 1024),
      type: e.type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
    try {
      await this.client.create(path, ev);
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 409) {
        try {
          const cur = await this.client.get<CoreEvent>(`${path}/${encodeURIComponent(name)}`);
          await this.client.patch(`${path}/${encodeURIComponent(name)}`, 'merge', {
            count: (cur.count ?? 1) + 1,
            lastTimestamp: now,
            metadata: { ...(e.annotations ? { annotations: e.annotations } : {}) },
          });
        } catch (err2) {
          this.log.debug({ err: String(err2) }, 'event update failed');
        }
        return;
      }
      this.log.debug({ err: String(err) }, 'event create failed');
    }
  }
}
