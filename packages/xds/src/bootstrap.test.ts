// The Envoy bootstrap files in envoy/ decode as Envoy v3 Bootstrap, pass
// Envoy's validation rules and resolve their static references (xdscheck
// -bootstrap), once the in-cluster template's placeholders are filled.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureXdscheck, runXdscheck } from '../test/xdscheck.js';

const ENVOY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'envoy');
const dir = mkdtempSync(path.join(tmpdir(), 'bootstrap-test-'));

// A fresh checkout without `npm run build:tools` builds xdscheck here, once.
beforeAll(() => ensureXdscheck(), 300_000);

// The variables the controller provides (packages/controller/src/bootstrap.ts).
const VALUES: Record<string, string> = {
  FLEET: 'default/gw',
  NODE_CLUSTER: 'default/gw',
  GATEWAY_NAMESPACE: 'default',
  GATEWAY_NAME: 'gw',
  XDS_HOST: 'switchyard-xds.switchyard-system.svc',
  XDS_PORT: '18000',
  XDS_CA_FILE: '/etc/switchyard/xds/ca.crt',
  XDS_CERT_FILE: '/etc/switchyard/xds/tls.crt',
  XDS_KEY_FILE: '/etc/switchyard/xds/tls.key',
  ADMIN_PORT: '19000',
};

test('in-cluster template: only known placeholders; renders to a valid bootstrap with delta ADS over mTLS', async () => {
  const template = readFileSync(path.join(ENVOY_DIR, 'bootstrap.yaml'), 'utf8');
  const used = [...template.matchAll(/\{\{\s*([A-Z_]+)\s*\}\}/g)].map((m) => m[1]!);
  expect(used.filter((u) => !(u in VALUES))).toEqual([]);
  const rendered = template.replace(/\{\{\s*([A-Z_]+)\s*\}\}/g, (_m, k: string) => VALUES[k]!);
  expect(rendered).toContain('api_type: DELTA_GRPC');
  expect(rendered).toContain('UpstreamTlsContext');
  const file = path.join(dir, 'envoy.yaml');
  writeFileSync(file, rendered);
  const r = await runXdscheck(['-bootstrap', file]);
  expect(r.stdout).toMatch(/clusters\s+2\n\s+listeners\s+1\n\s+secrets\s+2\n/);
  expect(r.stdout.trim().endsWith('OK')).toBe(true);
  expect(r.code).toBe(0);
});

test('local bootstrap: plaintext ADS to 127.0.0.1:18000 with node.cluster naming a Gateway', async () => {
  const file = path.join(ENVOY_DIR, 'bootstrap-local.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(/cluster: [a-z0-9-]+\/[a-z0-9-]+/);
  expect(text).toContain('port_value: 18000');
  const r = await runXdscheck(['-bootstrap', file]);
  expect(r.code).toBe(0);
});

test('a bootstrap whose ADS cluster is missing is reported', async () => {
  const file = path.join(dir, 'broken.yaml');
  writeFileSync(
    file,
    readFileSync(path.join(ENVOY_DIR, 'bootstrap-local.yaml'), 'utf8').replace(
      'cluster_name: switchyard_xds\n  cds_config',
      'cluster_name: nowhere\n  cds_config',
    ),
  );
  const r = await runXdscheck(['-bootstrap', file]);
  expect(r.stdout).toContain('PROBLEM ads_config uses cluster "nowhere", which is not a static cluster');
  expect(r.code).toBe(1);
});
