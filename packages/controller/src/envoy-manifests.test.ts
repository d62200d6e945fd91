// envoy/daemonset.yaml, envoy/deployment.yaml and envoy/service.yaml show
// exactly what the controller renders for a Gateway (fleetObjects() for the
// example Gateway below). This test keeps them in sync with the code; run it
// with UPDATE_ENVOY_MANIFESTS=1 to rewrite them after changing fleet.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Gateway, KubeObject } from '@switchyard/api';
import { fleetObjects, fleetSpec, type ProxyConfig } from './fleet.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const example: Gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'example', namespace: 'default', uid: 'uid-of-the-gateway' },
  spec: {
    gatewayClassName: 'switchyard',
    listeners: [
      { name: 'http', port: 80, protocol: 'HTTP' },
      { name: 'https', port: 443, protocol: 'HTTPS', tls: { certificateRefs: [{ name: 'example-cert' }] } },
    ],
  },
};

function rendered(workload: 'DaemonSet' | 'Deployment'): KubeObject[] {
  const pc: ProxyConfig | undefined =
    workload === 'Deployment'
      ? {
          apiVersion: 'switchyard.dev/v1alpha1',
          kind: 'ProxyConfig',
          metadata: { name: 'x', namespace: 'default' },
          spec: { workload: { kind: 'Deployment', replicas: 2 } },
        }
      : undefined;
  const spec = fleetSpec(example, undefined, pc);
  // The bootstrap itself lives in envoy/bootstrap.yaml (rendered into the
  // fleet's ConfigMap); a fixed stand-in keeps these files independent of it.
  const bootstrapYaml = '# envoy/bootstrap.yaml rendered for default/example\n';
  const objs = fleetObjects(spec, {
    owner: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      name: 'example',
      uid: 'uid-of-the-gateway',
      controller: true,
      blockOwnerDeletion: true,
    },
    bootstrapYaml,
    certSecretName: `${spec.name}-xds`,
  });
  // The shipped files are free of the per-Gateway owner reference (its uid exists only in a cluster).
  return objs.map((o) => ({ ...o, metadata: { ...o.metadata, ownerReferences: undefined } })).map((o) => JSON.parse(JSON.stringify(o)) as KubeObject);
}

const HEADER = (what: string) =>
  `# ${what}\n` +
  `# as the Switchyard controller renders it for a Gateway, shown for the example\n` +
  `# Gateway default/example (listeners on 80 and 443). Generated from\n` +
  `# packages/controller/src/fleet.ts (fleetObjects); in a cluster each object\n` +
  `# also carries an ownerReference to its Gateway. Kept in sync by\n` +
  `# envoy-manifests.test.ts (UPDATE_ENVOY_MANIFESTS=1 rewrites this file).\n`;

const files: Array<[string, () => string]> = [
  ['daemonset.yaml', () => HEADER('The Envoy DaemonSet (default workload)') + stringify(rendered('DaemonSet').find((o) => o.kind === 'DaemonSet'))],
  [
    'deployment.yaml',
    () => HEADER('The Envoy Deployment (ProxyConfig spec.workload.kind: Deployment)') + stringify(rendered('Deployment').find((o) => o.kind === 'Deployment')),
  ],
  ['service.yaml', () => HEADER('The fleet Service (type LoadBalancer by default)') + stringify(rendered('DaemonSet').find((o) => o.kind === 'Service'))],
];

describe('envoy/ fleet manifests', () => {
  it.each(files)('envoy/%s matches what the controller renders', (name, render) => {
    const path = join(root, 'envoy', name);
    const want = render();
    // Written only on request: a missing file is a failure, not a fresh golden.
    if (process.env.UPDATE_ENVOY_MANIFESTS === '1') writeFileSync(path, want);
    expect(readFileSync(path, 'utf8')).toBe(want);
  });
});
