// The upstream conformance manifests, read from the Go module the e2e/go.mod
// pins (never copied into this repo), with the placeholders the suite fills
// in and the objects the suite creates in code (TLS Secrets, CA ConfigMaps).
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@switchyard/api';
import { CONTROLLER_NAME } from '../../src/index.js';
import { goModuleDir } from '../../../../e2e/go-module.js';
import { caConfigMapObject, createTestCertificate, tlsSecretObject } from '../certificates.js';

export const GATEWAY_CLASS_NAME = 'switchyard-conformance';
const MODULE = 'sigs.k8s.io/gateway-api/conformance';

/** The conformance module's directory (base/manifests.yaml, tests/*.yaml and *.go). */
export function conformanceDir(): string {
  return goModuleDir(MODULE);
}

export interface UpstreamTest {
  readonly name: string;
  readonly file: string;
  /** Feature names as GatewayClass status.supportedFeatures spells them. */
  readonly features: readonly string[];
  readonly manifests: readonly string[];
}

/**
 * The conformance tests as the Go sources declare them: ShortName, Features
 * (resolved to their names through sigs.k8s.io/gateway-api/pkg/features) and
 * Manifests.
 */
export function upstreamTests(): UpstreamTest[] {
  const featureNames = new Map<string, string>();
  const featuresDir = path.join(goModuleDir('sigs.k8s.io/gateway-api'), 'pkg', 'features');
  for (const f of fs.readdirSync(featuresDir).filter((x) => x.endsWith('.go'))) {
    for (const m of fs.readFileSync(path.join(featuresDir, f), 'utf8').matchAll(/\b(Support\w+)\s+FeatureName\s*=\s*"([^"]+)"/g))
      featureNames.set(m[1] ?? '', m[2] ?? '');
  }
  const testsDir = path.join(conformanceDir(), 'tests');
  const out: UpstreamTest[] = [];
  for (const file of fs
    .readdirSync(testsDir)
    .filter((x) => x.endsWith('.go'))
    .sort()) {
    const src = fs.readFileSync(path.join(testsDir, file), 'utf8');
    for (const block of src.split(/=\s*(?:confsuite|suite)\.ConformanceTest\{/).slice(1)) {
      const name = /ShortName:\s*"([^"]+)"/.exec(block)?.[1];
      if (!name) continue;
      const features = [...(/Features:\s*\[\]features\.FeatureName\{([^}]*)\}/.exec(block)?.[1] ?? '').matchAll(/features\.(Support\w+)/g)].map(
        (m) => featureNames.get(m[1] ?? '') ?? `?${m[1]}`,
      );
      const manifests = [...(/Manifests:\s*\[\]string\{([^}]*)\}/.exec(block)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
      out.push({ name, file, features, manifests });
    }
  }
  return out;
}

/** The test yaml files the suite ships (tests/*.yaml), relative to the module. */
export function testManifestFiles(): string[] {
  return fs
    .readdirSync(path.join(conformanceDir(), 'tests'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `tests/${f}`);
}

const parsed = new Map<string, KubeObject[]>();

/** Objects of one manifest file, placeholders replaced as the suite's Applier does. */
export function loadManifest(relative: string): KubeObject[] {
  let objs = parsed.get(relative);
  if (!objs) {
    const text = fs
      .readFileSync(path.join(conformanceDir(), relative), 'utf8')
      .replaceAll('{GATEWAY_CLASS_NAME}', GATEWAY_CLASS_NAME)
      .replaceAll('{GATEWAY_CONTROLLER_NAME}', CONTROLLER_NAME);
    objs = [];
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${relative}: ${doc.errors[0]?.message}`);
      const o = doc.toJS() as KubeObject | null;
      if (o && typeof o === 'object' && o.kind) objs.push(o);
    }
    parsed.set(relative, objs);
  }
  return objs;
}

export function gatewayClass(): KubeObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: GATEWAY_CLASS_NAME },
    spec: { controllerName: CONTROLLER_NAME },
  };
}

/**
 * What the suite creates in code before the tests (utils/suite/suite.go):
 * self-signed and CA-signed serving certificates, client certificates and CA
 * bundles, under the same names and namespaces.
 */
export async function programmaticObjects(): Promise<KubeObject[]> {
  const infra = 'gateway-conformance-infra';
  const web = 'gateway-conformance-web-backend';
  const app = 'gateway-conformance-app-backend';
  const out: KubeObject[] = [];
  const secret = (ns: string, name: string, c: { certPem: string; keyPem: string }) => out.push(tlsSecretObject(ns, name, c));
  const caMap = (ns: string, name: string, c: { certPem: string; keyPem: string }) => out.push(caConfigMapObject(ns, name, c));

  secret(web, 'certificate', await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['*'] }));
  secret(infra, 'tls-validity-checks-certificate', await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['*', '*.org', '*.wildcard.org'] }));
  caMap(web, 'web-backend-cm', await createTestCertificate({ keyType: 'ECDSA', isCa: true, commonName: 'web-backend-ca' }));

  const ca1 = await createTestCertificate({ keyType: 'ECDSA', isCa: true, commonName: 'tls-validity-checks-ca' });
  caMap(infra, 'tls-validity-checks-ca-certificate', ca1);
  secret(infra, 'tls-validity-checks-client-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca1, commonName: 'client' }));
  const ca2 = await createTestCertificate({ keyType: 'ECDSA', isCa: true, commonName: 'tls-validity-checks-per-port-ca' });
  caMap(infra, 'tls-validity-checks-per-port-ca-certificate', ca2);
  secret(infra, 'tls-validity-checks-per-port-client-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca2, commonName: 'client' }));
  const ca3 = await createTestCertificate({ keyType: 'ECDSA', isCa: true, commonName: 'tls-checks-ca' });
  caMap(infra, 'tls-checks-ca-certificate', ca3);
  secret(
    infra,
    'tls-checks-certificate',
    await createTestCertificate({
      keyType: 'ECDSA',
      ca: ca3,
      dnsNames: ['abc.example.com', 'other.example.com'],
      uris: ['spiffe://abc.example.com/test-identity'],
    }),
  );
  secret(infra, 'tls-checks-client-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca3, commonName: 'client' }));
  secret(infra, 'tls-passthrough-checks-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca3, dnsNames: ['abc.example.com'] }));
  secret(app, 'tls-passthrough-checks-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca3, dnsNames: ['abc.example.com'] }));
  secret(infra, 'tls-terminate-checks-certificate', await createTestCertificate({ keyType: 'ECDSA', ca: ca3, dnsNames: ['tls.example.com'] }));
  caMap(infra, 'mismatch-ca-certificate', await createTestCertificate({ keyType: 'ECDSA', isCa: true, commonName: 'mismatch-ca' }));
  return out;
}

/**
 * The objects of one conformance test as the API server would hold them:
 * base manifests, the suite's programmatic objects, the test's own
 * manifests; each with generation 1 and a creation time in apply order (the
 * spec breaks ties between routes and listeners by age).
 */
export function appliedObjects(testManifests: readonly string[], programmatic: readonly KubeObject[]): KubeObject[] {
  const all = [gatewayClass(), ...loadManifest('base/manifests.yaml'), ...programmatic, ...testManifests.flatMap(loadManifest)];
  const start = Date.UTC(2026, 0, 1);
  return all.map((o, i) => {
    const copy = structuredClone(o);
    copy.metadata = {
      ...copy.metadata,
      generation: 1,
      uid: `uid-${i}`,
      resourceVersion: '1',
      creationTimestamp: new Date(start + i * 1000).toISOString().replace('.000Z', 'Z'),
    };
    return copy;
  });
}
