// runController: Switchyard in a cluster. Wires watches, the reconcile
// pipeline, the xDS server, leader election, fleet provisioning, the status
// writer and the health/metrics endpoint together; each has its own file
// (the xDS CA and certificates: xds-ca.ts, NACK reporting: nack.ts), and the
// functions below only build and connect them, in the order they start.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { CONTROLLER_NAME, type TranslateOptions, type TranslateResult } from '@switchyard/translator';
import { SnapshotCache, createXdsServer, type XdsServer, type CertificateAndKey } from '@switchyard/xds';
import { KubeClient } from './rest.js';
import { Discovery } from './discovery.js';
import { ObjectStore } from './store.js';
import { Watcher } from './reflector.js';
import { LeaderElector } from './leader-election.js';
import { StatusWriter } from './status-writer.js';
import { FleetProvisioner } from './fleet-provisioner.js';
import { EventRecorder } from './events.js';
import { ControllerMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { reportNacks } from './nack.js';
import { loadBootstrapTemplate } from './bootstrap.js';
import { DEFAULT_FLEET, type FleetDefaults } from './fleet.js';
import { startHttpServer, type HttpServer } from './http.js';
import type { Snapshot } from '@switchyard/api';
import { loadOrCreateCa, xdsServerTls, fleetCredentials } from './xds-ca.js';
import { XDS_SERVICE_NAME, XDS_SERVICE_PORT, LEASE_NAME, DEFAULT_DRAIN_MS } from './installed-names.js';

export { XDS_SERVICE_NAME, XDS_SERVICE_PORT, LEASE_NAME, DEFAULT_DRAIN_MS };

export interface ControllerOptions {
  /** Kubeconfig path; without it: in-cluster when running in a pod, else the default kubeconfig. */
  readonly kubeconfig?: string;
  /** A ready KubeConfig (embedding, tests); wins over `kubeconfig`. */
  readonly kubeConfig?: KubeConfig;
  /** The controller's own namespace (Lease, CA Secret). Default $POD_NAMESPACE or switchyard-system. */
  readonly namespace?: string;
  readonly controllerName?: string;
  /** Unique per replica (Lease holder, Event reporter). Default $POD_NAME or hostname plus random suffix. */
  readonly identity?: string;
  readonly xds?: {
    readonly host?: string;
    /** Default 18000; 0 picks a free port. */
    readonly port?: number;
    /** Plaintext xDS for local development only. Default false (mTLS). */
    readonly insecure?: boolean;
    /** The address fleets dial, written into their bootstrap. Default switchyard-xds.<namespace>.svc:18000. */
    readonly serviceHost?: string;
    readonly servicePort?: number;
  };
  /** Health, readiness and Prometheus metrics. Default 0.0.0.0:8080; port 0 picks a free port. */
  readonly http?: { readonly host?: string; readonly port?: number };
  readonly leaderElection?: {
    readonly enabled?: boolean;
    readonly leaseName?: string;
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
  /** The xDS CA: kept in this Secret of the controller namespace; generated on first start when absent. */
  readonly caSecretName?: string;
  /** Create DaemonSets/Deployments, Services, ConfigMaps and Secrets per Gateway. Default true. */
  readonly provisionFleets?: boolean;
  readonly fleet?: Partial<FleetDefaults>;
  readonly bootstrapTemplatePath?: string;
  /** After SIGTERM: how long xDS keeps serving (so Envoys move to another replica without losing config). Default 15 s. */
  readonly drainMs?: number;
  readonly coalesce?: { readonly quietMs?: number; readonly maxWaitMs?: number };
  /** Periodic reconcile without events (retries failed writes). Default 30 s. */
  readonly resyncMs?: number;
  /** How often to look for CRDs installed after start. Default 30 s. */
  readonly rediscoverMs?: number;
  readonly logger?: Logger;
  /** Replaces the translator (embedding a different one; tests that isolate controller behaviour). */
  readonly translate?: (s: Snapshot, o: TranslateOptions) => TranslateResult;
  /** Install SIGTERM/SIGINT handlers that stop gracefully (the CLI sets this). */
  readonly handleSignals?: boolean;
}

export interface RunningController {
  readonly identity: string;
  readonly xdsPort: number;
  readonly httpPort: number;
  readonly cache: SnapshotCache;
  readonly xdsServer: XdsServer;
  readonly reconciler: Reconciler;
  readonly metrics: ControllerMetrics;
  readonly ca: CertificateAndKey;
  isLeader(): boolean;
  /** Graceful stop: give up leadership at once, keep serving xDS for drainMs, then close everything. */
  stop(o?: { drainMs?: number; releaseLease?: boolean }): Promise<void>;
}

export async function runController(o: ControllerOptions = {}): Promise<RunningController> {
  const log = o.logger ?? pino({ name: 'switchyard' });
  const client = new KubeClient(loadKubeConfig(o));
  const discovery = new Discovery(client);
  const namespace = o.namespace ?? process.env.POD_NAMESPACE ?? 'switchyard-system';
  const controllerName = o.controllerName ?? CONTROLLER_NAME;
  const identity = o.identity ?? process.env.POD_NAME ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  const metrics = new ControllerMetrics();
  const store = new ObjectStore();
  const xdsService = { xdsHost: o.xds?.serviceHost ?? `${XDS_SERVICE_NAME}.${namespace}.svc`, xdsPort: o.xds?.servicePort ?? XDS_SERVICE_PORT };

  // xDS first: every replica serves every fleet, leader or not.
  const ca = await loadOrCreateCa(client, namespace, o.caSecretName ?? 'switchyard-xds-ca', log);
  const cache = new SnapshotCache();
  const tls = await xdsServerTls(ca, { serviceHost: xdsService.xdsHost, namespace, insecure: o.xds?.insecure ?? false });
  const xdsServer = createXdsServer({ cache, tls, logger: log.child({ component: 'xds' }) });
  const xdsPort = await xdsServer.listen(o.xds?.host ?? '0.0.0.0', o.xds?.port ?? 18000);

  const events = new EventRecorder(client, 'switchyard', identity, log.child({ component: 'events' }));
  const elector = leaderElector(client, namespace, identity, o.leaderElection ?? {}, log);
  let stopping = false;
  const isLeader = () => !stopping && (elector ? elector.isLeader : true);

  const fleetDefaults: FleetDefaults = { ...DEFAULT_FLEET, ...o.fleet };
  const provisioner =
    o.provisionFleets === false
      ? undefined
      : fleetProvisioner(client, discovery, { controllerName, ca, xdsService, fleetDefaults, bootstrapTemplatePath: o.bootstrapTemplatePath }, log);
  const statusWriter = new StatusWriter(client, discovery, controllerName, log.child({ component: 'status' }), metrics, events);
  const watcher = new Watcher(client, discovery, store, log.child({ component: 'watch' }), {
    metrics,
    ...(o.rediscoverMs ? { rediscoverMs: o.rediscoverMs } : {}),
  });
  const reconciler = new Reconciler({
    controllerName,
    store,
    cache,
    isLeader,
    isSynced: () => watcher.synced,
    unservedKinds: () => watcher.unservedKinds(),
    statusWriter,
    ...(provisioner ? { provisioner } : {}),
    events,
    metrics,
    log: log.child({ component: 'reconcile' }),
    ...(o.coalesce?.quietMs !== undefined ? { quietMs: o.coalesce.quietMs } : {}),
    ...(o.coalesce?.maxWaitMs !== undefined ? { maxWaitMs: o.coalesce.maxWaitMs } : {}),
    fleetDefaults,
    ...(o.translate ? { translate: o.translate } : {}),
    ...(o.resyncMs ? { resyncMs: o.resyncMs } : {}),
  });
  const unsubscribeNack = reportNacks(cache, { snapshot: () => store.snapshot(), events, metrics, log });

  let synced = false;
  const http: HttpServer = await startHttpServer({
    host: o.http?.host ?? '0.0.0.0',
    port: o.http?.port ?? 8080,
    metrics,
    ready: () => synced && !stopping,
    beforeScrape: () => {
      metrics.connectedEnvoys.reset();
      for (const s of xdsServer.streams()) metrics.connectedEnvoys.inc({ fleet: s.fleet });
    },
  });

  // Start: the pipeline, then leadership (each change triggers a pass), then
  // the watches; ready once every watch has listed its kind.
  reconciler.start();
  const leaderSub = elector?.leading$.subscribe((leading) => {
    log.info({ identity, leading }, leading ? 'became leader' : 'not leader');
    metrics.leader.set(leading ? 1 : 0);
    reconciler.trigger();
  });
  elector?.start();
  await watcher.start();
  synced = true;
  reconciler.trigger();
  log.info({ identity, xdsPort, httpPort: http.port, watching: watcher.watching().length }, 'switchyard controller started');

  const stop = gracefulStop(
    { identity, log, elector, leaderSub, watcher, reconciler, unsubscribeNack, xdsServer, http },
    o.drainMs ?? DEFAULT_DRAIN_MS,
    () => (stopping = true),
  );
  if (o.handleSignals) stopOnSignals(stop, log);

  return { identity, xdsPort, httpPort: http.port, cache, xdsServer, reconciler, metrics, ca, isLeader, stop };
}

function loadKubeConfig(o: ControllerOptions): KubeConfig {
  if (o.kubeConfig) return o.kubeConfig;
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** The Lease-based elector, or undefined when leader election is off (this replica always leads). */
function leaderElector(
  client: KubeClient,
  namespace: string,
  identity: string,
  le: NonNullable<ControllerOptions['leaderElection']>,
  log: Logger,
): LeaderElector | undefined {
  if (le.enabled === false) return undefined;
  return new LeaderElector(
    client,
    {
      namespace,
      name: le.leaseName ?? LEASE_NAME,
      identity,
      ...(le.leaseDurationMs !== undefined ? { leaseDurationMs: le.leaseDurationMs } : {}),
      ...(le.renewDeadlineMs !== undefined ? { renewDeadlineMs: le.renewDeadlineMs } : {}),
      ...(le.retryPeriodMs !== undefined ? { retryPeriodMs: le.retryPeriodMs } : {}),
    },
    log.child({ component: 'leader-election' }),
  );
}

/** Creates each Gateway's Envoy workload, Service, bootstrap and xDS client certificate (signed by the xDS CA). */
function fleetProvisioner(
  client: KubeClient,
  discovery: Discovery,
  o: {
    controllerName: string;
    ca: CertificateAndKey;
    xdsService: { xdsHost: string; xdsPort: number };
    fleetDefaults: FleetDefaults;
    bootstrapTemplatePath: string | undefined;
  },
  log: Logger,
): FleetProvisioner {
  return new FleetProvisioner(
    client,
    discovery,
    {
      controllerName: o.controllerName,
      bootstrapTemplate: loadBootstrapTemplate(o.bootstrapTemplatePath),
      xds: o.xdsService,
      issueCertificate: (fleet) => fleetCredentials(o.ca, fleet),
      caPem: () => o.ca.certPem,
      defaults: o.fleetDefaults,
    },
    log.child({ component: 'fleet' }),
  );
}

/** What a stop takes down, in this order. */
interface StopParts {
  readonly identity: string;
  readonly log: Logger;
  readonly elector: LeaderElector | undefined;
  readonly leaderSub: { unsubscribe(): void } | undefined;
  readonly watcher: Watcher;
  readonly reconciler: Reconciler;
  readonly unsubscribeNack: () => void;
  readonly xdsServer: XdsServer;
  readonly http: HttpServer;
}

/**
 * The graceful stop (once, however often called): give up leadership at
 * once, stop watching and reconciling, keep serving xDS for the drain, then
 * close xDS and HTTP.
 */
function gracefulStop(p: StopParts, defaultDrainMs: number, beginStopping: () => void): RunningController['stop'] {
  let stopped: Promise<void> | undefined;
  return (so = {}) =>
    (stopped ??= (async () => {
      beginStopping();
      p.log.info({ identity: p.identity }, 'stopping: leaving leadership, draining xDS');
      p.leaderSub?.unsubscribe();
      await p.elector?.stop(so.releaseLease !== false);
      await p.watcher.stop();
      await p.reconciler.stop();
      p.unsubscribeNack();
      const drain = so.drainMs ?? defaultDrainMs;
      // Keep serving xDS: Envoys stay configured and reconnect to another
      // replica when this one finally goes away.
      if (drain > 0) await new Promise((r) => setTimeout(r, drain));
      await p.xdsServer.close();
      await p.http.close();
      p.log.info({ identity: p.identity }, 'stopped');
    })());
}

/** SIGTERM and SIGINT stop gracefully, then exit. */
function stopOnSignals(stop: RunningController['stop'], log: Logger): void {
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'signal received');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
