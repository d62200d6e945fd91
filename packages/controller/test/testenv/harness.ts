// Helpers shared by the controller's integration tests: install the shipped
// RBAC, run controllers in-process as the controller's ServiceAccount user,
// and stand in for the kubelet / cloud load balancer that do not run here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { pino, type Logger } from 'pino';
import type { Condition, Gateway, GatewayClass, KubeObject, Snapshot } from '@switchyard/api';
import type { TranslateOptions, TranslateResult, ObjectStatus } from '@switchyard/translator';
import { EMPTY_RESOURCES, type EnvoyResources } from '@switchyard/protos';
import { TestAdsClient } from '@switchyard/xds/test/ads-test-client.js';
import { runController, type ControllerOptions, type RunningController } from '../../src/run.js';
import { TestEnv, loadObjects, REPO_ROOT, CONTROLLER_SA, switchyardCrds, type TestEnvOptions } from './index.js';

export const TEST_CONTROLLER_NAME = 'switchyard.dev/gateway-controller';

export function testLogger(): Logger {
  return pino({ level: process.env.SWITCHYARD_TEST_LOG ?? 'silent' });
}

/** Applies the shipped namespace, ServiceAccount and RBAC from deploy/, so controllers in tests run with exactly those permissions. */
export async function installControllerRbac(env: TestEnv): Promise<void> {
  for (const f of ['namespace.yaml', 'serviceaccount.yaml', 'rbac.yaml']) {
    await env.applyAll(loadObjects(readFileSync(join(REPO_ROOT, 'deploy', f), 'utf8')));
  }
}

/** The name the controller's xDS server certificate carries and fleets dial (run.ts's default for the test namespace). */
export const XDS_SERVER_NAME = `switchyard-xds.${CONTROLLER_SA.namespace}.svc`;

export type SecretObject = KubeObject & { data?: Record<string, string> };

/** One PEM entry (ca.crt, tls.crt, tls.key) of a Secret, decoded. */
export function secretPem(secret: SecretObject, key: string): string {
  return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
}

/** An ADS client that connects as an Envoy of a fleet does: mTLS with the fleet's xDS Secret. */
export function fleetAdsClient(port: number, secret: SecretObject, nodeId: string): TestAdsClient {
  return new TestAdsClient({
    port,
    node: { id: nodeId },
    tls: { caPem: secretPem(secret, 'ca.crt'), certPem: secretPem(secret, 'tls.crt'), keyPem: secretPem(secret, 'tls.key'), serverName: XDS_SERVER_NAME },
  });
}

/**
 * Where most integration tests start: the shipped RBAC, the test's namespace,
 * and the GatewayClass "switchyard" that the test controller owns.
 */
export async function prepareControllerTest(env: TestEnv, namespace: string): Promise<void> {
  await installControllerRbac(env);
  await env.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  await env.apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: 'switchyard' },
    spec: { controllerName: TEST_CONTROLLER_NAME },
  });
}

/**
 * The Gateway most controller integration tests use: class "switchyard", one
 * HTTP listener on port 80, and with `proxyConfig` the ProxyConfig of that
 * name (in the Gateway's namespace) as spec.infrastructure.parametersRef;
 * `spec` adds or replaces fields.
 */
export function httpGateway(namespace: string, name: string, o: { proxyConfig?: string; spec?: Record<string, unknown> } = {}): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: {
      gatewayClassName: 'switchyard',
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
      ...(o.proxyConfig ? { infrastructure: { parametersRef: { group: 'switchyard.dev', kind: 'ProxyConfig', name: o.proxyConfig } } } : {}),
      ...o.spec,
    },
  };
}

/** The Envoy bootstrap template: envoy/bootstrap.yaml when present, else a minimal one using every placeholder. */
export function bootstrapTemplatePath(env: TestEnv): string {
  const real = join(REPO_ROOT, 'envoy', 'bootstrap.yaml');
  if (existsSync(real)) return real;
  const p = join(env.dir, 'bootstrap.yaml');
  writeFileSync(
    p,
    'node: { id: "{{GATEWAY_NAME}}", cluster: "{{NODE_CLUSTER}}" }\n# xds {{XDS_HOST}}:{{XDS_PORT}} ca {{XDS_CA_FILE}} cert {{XDS_CERT_FILE}} key {{XDS_KEY_FILE}} admin {{ADMIN_PORT}} {{FLEET}} {{GATEWAY_NAMESPACE}}\n',
  );
  return p;
}

export async function startController(env: TestEnv, o: Partial<ControllerOptions> = {}): Promise<RunningController> {
  return runController({
    kubeConfig: env.kubeConfig(env.controllerUser()),
    namespace: CONTROLLER_SA.namespace,
    xds: { host: '127.0.0.1', port: 0 },
    http: { host: '127.0.0.1', port: 0 },
    leaderElection: { leaseDurationMs: 3000, retryPeriodMs: 300 },
    drainMs: 0,
    coalesce: { quietMs: 20, maxWaitMs: 100 },
    rediscoverMs: 1000,
    resyncMs: 2000,
    bootstrapTemplatePath: bootstrapTemplatePath(env),
    logger: testLogger(),
    ...o,
  });
}

/** What a controller integration test works with once its beforeAll ran. */
export interface ControllerTest {
  readonly env: TestEnv;
  readonly ctl: RunningController;
}

/**
 * The set-up every controller integration test repeats, registered in the
 * calling describe: a fresh API server (with the switchyard.dev CRDs when
 * `crds`), the shipped RBAC, the namespace and GatewayClass
 * (prepareControllerTest), whatever `prepare` adds, then the controller; all
 * of it stopped after the describe's tests.
 */
export function controllerTest(
  namespace: string,
  o: { crds?: boolean; env?: TestEnvOptions; prepare?: (env: TestEnv) => Promise<void>; controller?: Partial<ControllerOptions> } = {},
): ControllerTest {
  let env: TestEnv | undefined;
  let ctl: RunningController | undefined;
  beforeAll(async () => {
    env = await TestEnv.start(o.env);
    if (o.crds) await env.installCrds(switchyardCrds());
    await prepareControllerTest(env, namespace);
    await o.prepare?.(env);
    ctl = await startController(env, o.controller);
  }, 180_000);
  afterAll(async () => {
    await ctl?.stop({ drainMs: 0 });
    await env?.stop();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('controllerTest: used before its beforeAll ran (or the set-up failed)');
    return v;
  };
  return {
    get env() {
      return started(env);
    },
    get ctl() {
      return started(ctl);
    },
  };
}

function cond(type: string, status: 'True' | 'False', reason: string, generation: number | undefined, now: string, message = ''): Condition {
  return { type, status, reason, message, ...(generation !== undefined ? { observedGeneration: generation } : {}), lastTransitionTime: now };
}

/**
 * A deliberately small translator for tests of controller behaviour that must
 * not depend on the real translator's progress: every GatewayClass of ours is
 * Accepted, every Gateway of such a class is Accepted and Programmed with an
 * empty fleet. The real translator is exercised by the conformance test.
 */
export function minimalTranslate(snapshot: Snapshot, o: TranslateOptions): TranslateResult {
  const now = o.now ?? new Date().toISOString();
  const statuses: ObjectStatus[] = [];
  const fleets = new Map<string, EnvoyResources>();
  const ours = new Set<string>();
  for (const gc of snapshot.list<GatewayClass>('gateway.networking.k8s.io', 'GatewayClass')) {
    if (gc.spec?.controllerName !== (o.controllerName ?? TEST_CONTROLLER_NAME)) continue;
    ours.add(gc.metadata.name);
    const prev = gc.status?.conditions?.find((c) => c.type === 'Accepted');
    statuses.push({
      apiVersion: gc.apiVersion,
      kind: 'GatewayClass',
      name: gc.metadata.name,
      status: { conditions: [cond('Accepted', 'True', 'Accepted', gc.metadata.generation, prev?.status === 'True' ? (prev.lastTransitionTime ?? now) : now)] },
    });
  }
  for (const gw of snapshot.list<Gateway>('gateway.networking.k8s.io', 'Gateway')) {
    if (!ours.has(gw.spec?.gatewayClassName ?? '')) continue;
    const fleet = `${gw.metadata.namespace}/${gw.metadata.name}`;
    fleets.set(fleet, EMPTY_RESOURCES);
    statuses.push({
      apiVersion: gw.apiVersion,
      kind: 'Gateway',
      namespace: gw.metadata.namespace!,
      name: gw.metadata.name,
      status: {
        conditions: [cond('Accepted', 'True', 'Accepted', gw.metadata.generation, now), cond('Programmed', 'True', 'Programmed', gw.metadata.generation, now)],
        listeners: (gw.spec?.listeners ?? []).map((l) => ({
          name: l.name,
          supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          attachedRoutes: 0,
          conditions: [
            cond('Accepted', 'True', 'Accepted', gw.metadata.generation, now),
            cond('Programmed', 'True', 'Programmed', gw.metadata.generation, now),
            cond('ResolvedRefs', 'True', 'ResolvedRefs', gw.metadata.generation, now),
          ],
        })),
      },
    });
  }
  return { fleets, statuses };
}

/**
 * No kubelet or cloud load balancer runs next to the test API server, so the
 * test does their part through the API: a DaemonSet/Deployment status with
 * available pods, and a load balancer ingress address on the Service.
 */
export async function markFleetAvailable(
  env: TestEnv,
  o: { namespace: string; name: string; workload?: 'DaemonSet' | 'Deployment'; ingress?: { ip?: string; hostname?: string } },
): Promise<void> {
  const workload = o.workload ?? 'DaemonSet';
  const wpath = `/apis/apps/v1/namespaces/${o.namespace}/${workload === 'DaemonSet' ? 'daemonsets' : 'deployments'}/${o.name}/status`;
  const status =
    workload === 'DaemonSet'
      ? { currentNumberScheduled: 1, desiredNumberScheduled: 1, numberMisscheduled: 0, numberReady: 1, numberAvailable: 1, updatedNumberScheduled: 1 }
      : { replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 };
  await env.admin.patch(wpath, 'merge', { status });
  if (o.ingress)
    await env.admin.patch(`/api/v1/namespaces/${o.namespace}/services/${o.name}/status`, 'merge', { status: { loadBalancer: { ingress: [o.ingress] } } });
}

export function conditionOf(obj: KubeObject | undefined, type: string): Condition | undefined {
  return ((obj?.status as { conditions?: Condition[] } | undefined)?.conditions ?? []).find((c) => c.type === type);
}
