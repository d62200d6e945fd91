// runController: Switchyard in a cluster. Wires watches, the reconcile
// pipeline, the xDS server, leader election, fleet provisioning, the status
// writer and the health/metrics endpoint together.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { CONTROLLER_NAME, type TranslateOptions, type TranslateResult } from '@switchyard/translator';
import { SnapshotCache, createXdsServer, createCa, issueCertificate, fleetIdentity, type XdsServer, type CertificateAndKey } from '@switchyard/xds';
import { KubeClient, isConflict } from './rest.js';
import { Discovery } from './discovery.js';
import { ObjectStore } from './store.js';
import { Watcher } from './reflector.js';
import { LeaderElector } from './leader-election.js';
import { StatusWriter } from './status-writer.js';
import { FleetProvisioner } from './fleet-provisioner.js';
import { EventRecorder } from './events.js';
import { ControllerMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { recordNack } from './nack.js';
import { loadBootstrapTemplate } from './bootstrap.js';
import { DEFAULT_FLEET, type FleetDefaults } from './fleet.js';
import { startHttpServer, type HttpServer } from './http.js';
import type { KubeObject, Snapshot } from '@switchyard/api';

/**
 * Names the installed objects (charts/switchyard) share with the controller:
 * the Service fleets dial (written into every fleet's bootstrap), the leader
 * Lease, and the xDS drain the pods' termination grace period must cover.
 */
export const XDS_SERVICE_NAME = 'switchyard-xds';
export const XDS_SERVICE_PORT = 18000;
export const LEASE_NAME = 'switchyard-controller';
export const DEFAULT_DRAIN_MS = 15_000;

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

function loadKubeConfig(o: ControllerOptions): KubeConfig {
  if (o.kubeConfig) return o.kubeConfig;
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

interface TlsSecret extends KubeObject {
  data?: Record<string, string>;
}

/** Reads the CA Secret, or creates it; replicas racing to create it converge on whichever was created first. */
async function loadOrCreateCa(client: KubeClient, namespace: string, name: string, log: Logger): Promise<CertificateAndKey> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const read = async () => {
    const s = await client.getOrUndefined<TlsSecret>(`${path}/${encodeURIComponent(name)}`);
    const crt = s?.data?.['tls.crt'];
    const key = s?.data?.['tls.key'];
    return crt && key ? { certPem: Buffer.from(crt, 'base64').toString('utf8'), keyPem: Buffer.from(key, 'base64').toString('utf8') } : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const ca = await createCa('switchyard xDS CA');
  try {
    await client.create(path, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'switchyard', 'app.kubernetes.io/component': 'xds-ca' } },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(ca.certPem).toString('base64'), 'tls.key': Buffer.from(ca.keyPem).toString('base64') },
    } as KubeObject);
    log.info({ secret: `${namespace}/${name}` }, 'generated the xDS CA');
    return ca;
  } catch (e) {
    if (!isConflict(e)) throw e;
    const other = await read();
    if (!other) throw new Error(`CA Secret ${namespace}/${name} exists but has no tls.crt/tls.key`);
    return other;
  }
}

export async function runController(o: ControllerOptions = {}): Promise<RunningController> {
  const log = o.logger ?? pino({ name: 'switchyard' });
  const kc = loadKubeConfig(o);
  const client = new KubeClient(kc);
  const discovery = new Discovery(client);
  const namespace = o.namespace ?? process.env.POD_NAMESPACE ?? 'switchyard-system';
  const controllerName = o.controllerName ?? CONTROLLER_NAME;
  const identity = o.identity ?? process.env.POD_NAME ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
  const metrics = new ControllerMetrics();
  const store = new ObjectStore();
  const xdsServiceHost = o.xds?.serviceHost ?? `${XDS_SERVICE_NAME}.${namespace}.svc`;
  const xdsServicePort = o.xds?.servicePort ?? XDS_SERVICE_PORT;

  const ca = await loadOrCreateCa(client, namespace, o.caSecretName ?? 'switchyard-xds-ca', log);
  const cache = new SnapshotCache();
  let tls: { caPem: string; certPem: string; keyPem: string } | { insecure: true };
  if (o.xds?.insecure) {
    tls = { insecure: true };
  } else {
    const dnsNames = [
      ...new Set([
        xdsServiceHost,
        `${XDS_SERVICE_NAME}.${namespace}`,
        `${XDS_SERVICE_NAME}.${namespace}.svc`,
        `${XDS_SERVICE_NAME}.${namespace}.svc.cluster.local`,
        'localhost',
      ]),
    ];
    const server = await issueCertificate(ca, { commonName: XDS_SERVICE_NAME, dnsNames, ipAddresses: ['127.0.0.1'], usage: 'server' });
    tls = { caPem: ca.certPem, ...server };
  }
  const xdsServer = createXdsServer({ cache, tls, logger: log.child({ component: 'xds' }) });
  const xdsPort = await xdsServer.listen(o.xds?.host ?? '0.0.0.0', o.xds?.port ?? 18000);

  const events = new EventRecorder(client, 'switchyard', identity, log.child({ component: 'events' }));
  const leOpts = o.leaderElection ?? {};
  const elector =
    leOpts.enabled === false
      ? undefined
      : new LeaderElector(
          client,
          {
            namespace,
            name: leOpts.leaseName ?? LEASE_NAME,
            identity,
            ...(leOpts.leaseDurationMs !== undefined ? { leaseDurationMs: leOpts.leaseDurationMs } : {}),
            ...(leOpts.renewDeadlineMs !== undefined ? { renewDeadlineMs: leOpts.renewDeadlineMs } : {}),
            ...(leOpts.retryPeriodMs !== undefined ? { retryPeriodMs: leOpts.retryPeriodMs } : {}),
          },
          log.child({ component: 'leader-election' }),
        );
  let stopping = false;
  const isLeader = () => !stopping && (elector ? elector.isLeader : true);

  const fleetDefaults: FleetDefaults = { ...DEFAULT_FLEET, ...o.fleet };
  const provisioner =
    o.provisionFleets === false
      ? undefined
      : new FleetProvisioner(
          client,
          discovery,
          {
            controllerName,
            bootstrapTemplate: loadBootstrapTemplate(o.bootstrapTemplatePath),
            xds: { xdsHost: xdsServiceHost, xdsPort: xdsServicePort },
            issueCertificate: async (fleet) => ({
              ...(await issueCertificate(ca, { commonName: fleet, uris: [fleetIdentity(fleet)], usage: 'client' })),
              caPem: ca.certPem,
            }),
            caPem: () => ca.certPem,
            defaults: fleetDefaults,
          },
          log.child({ component: 'fleet' }),
        );
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

  const unsubscribeNack = cache.onNack((n) => {
    metrics.nacks.inc({ fleet: n.fleet, type: n.typeUrl.slice(n.typeUrl.lastIndexOf('.') + 1) });
    log.warn({ fleet: n.fleet, node: n.nodeId, type: n.typeUrl, resources: n.resourceNames, message: n.message }, 'Envoy rejected configuration (NACK)');
    void recordNack(n, store.snapshot(), events).catch((e: unknown) => log.warn({ err: String(e) }, 'could not record NACK event'));
  });

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

  let stopped: Promise<void> | undefined;
  const stop = (so: { drainMs?: number; releaseLease?: boolean } = {}): Promise<void> =>
    (stopped ??= (async () => {
      stopping = true;
      log.info({ identity }, 'stopping: leaving leadership, draining xDS');
      leaderSub?.unsubscribe();
      await elector?.stop(so.releaseLease !== false);
      await watcher.stop();
      await reconciler.stop();
      unsubscribeNack();
      const drain = so.drainMs ?? o.drainMs ?? DEFAULT_DRAIN_MS;
      // Keep serving xDS: Envoys stay configured and reconnect to another
      // replica when this one finally goes away.
      if (drain > 0) await new Promise((r) => setTimeout(r, drain));
      await xdsServer.close();
      await http.close();
      log.info({ identity }, 'stopped');
    })());

  if (o.handleSignals) {
    const onSignal = (sig: NodeJS.Signals) => {
      log.info({ signal: sig }, 'signal received');
      void stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { identity, xdsPort, httpPort: http.port, cache, xdsServer, reconciler, metrics, ca, isLeader, stop };
}
