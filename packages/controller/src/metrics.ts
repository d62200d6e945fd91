// Prometheus metrics, on a registry of their own (so tests and several
// controllers in one process do not collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly reconcileDuration = new Histogram({
    name: 'switchyard_reconcile_duration_seconds',
    help: 'Duration of one reconcile stage: translate (snapshot to xDS cache, every replica) or write (fleet objects and statuses, leader).',
    labelNames: ['stage'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly translations = new Counter({
    name: 'switchyard_translations_total',
    help: 'Translations run by the pipeline: full; routes (only routes changed: only the Gateways they attach to translated again); or endpoints (only EndpointSlices changed: ClusterLoadAssignments recomputed from the previous translation).',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({ name: 'switchyard_queue_depth', help: 'Watch events received and not yet reconciled.', registers: [this.registry] });
  readonly connectedEnvoys = new Gauge({
    name: 'switchyard_connected_envoys',
    help: 'Envoy xDS streams connected to this replica, per fleet.',
    labelNames: ['fleet'],
    registers: [this.registry],
  });
  readonly pushes = new Counter({
    name: 'switchyard_xds_pushes_total',
    help: 'Fleet snapshots handed to the xDS cache because their resources changed.',
    labelNames: ['fleet'],
    registers: [this.registry],
  });
  readonly nacks = new Counter({
    name: 'switchyard_xds_nacks_total',
    help: 'Configuration rejected by Envoy (NACK), per fleet and resource type.',
    labelNames: ['fleet', 'type'],
    registers: [this.registry],
  });
  readonly statusWrites = new Counter({
    name: 'switchyard_status_writes_total',
    help: 'Status subresource writes, by kind and result (written, conflict, error).',
    labelNames: ['kind', 'result'],
    registers: [this.registry],
  });
  readonly relists = new Counter({
    name: 'switchyard_watch_relists_total',
    help: 'Full lists of a kind (start, 410 Gone, API server restart).',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly watchErrors = new Counter({
    name: 'switchyard_watch_errors_total',
    help: 'Failed list or watch requests.',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly leader = new Gauge({ name: 'switchyard_leader', help: '1 while this replica holds the leader lease.', registers: [this.registry] });
  readonly fleetObjectsApplied = new Counter({
    name: 'switchyard_fleet_objects_applied_total',
    help: 'Fleet objects created or updated.',
    registers: [this.registry],
  });
  readonly fleetErrors = new Counter({
    name: 'switchyard_fleet_errors_total',
    help: 'Fleet provisioning failures.',
    labelNames: ['fleet'],
    registers: [this.registry],
  });

  constructor(o: { processMetrics?: boolean } = {}) {
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  relist(kind: string): void {
    this.relists.inc({ kind });
  }
  watchError(kind: string): void {
    this.watchErrors.inc({ kind });
  }
  statusWrite(kind: string, result: 'written' | 'conflict' | 'error'): void {
    this.statusWrites.inc({ kind, result });
  }
}
