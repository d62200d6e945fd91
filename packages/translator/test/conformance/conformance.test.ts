// The upstream Gateway API conformance tests, run against translate() and
// explain() instead of a cluster: each test applies base/manifests.yaml plus
// its own manifests (from the pinned Go module), and every status condition
// it waits for and every request it sends is checked. Steps the translator
// cannot pass yet are it.failing with the missing feature named, so they
// flip as soon as it lands; the GatewayClass must not claim their features.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { snapshotOf, type KubeObject } from '@switchyard/api';
import { encodeMessage, RESOURCE_FIELDS } from '@switchyard/protos';
import { translate, type TranslateResult } from '../../src/index.js';
import { explain, formatExplanation, routeSourceOf } from '@switchyard/explain';
import { appliedObjects, conformanceDir, GATEWAY_CLASS_NAME, programmaticObjects, upstreamTests } from './manifests.js';
import { checkStatus, statusView, supportedFeatures, type StatusView } from './status-checks.js';
import { checkRequest, type RequestContext } from './request-checks.js';
import { CONFORMANCE_TESTS, OUT_OF_SCOPE, OVERCLAIMED } from './cases.js';
import type { ConformanceTest, RequestStep, Step } from './types.js';

let programmatic: KubeObject[] = [];

beforeAll(async () => {
  programmatic = await programmaticObjects();
}, 120_000);

interface Run {
  readonly objects: KubeObject[];
  readonly result: TranslateResult;
  readonly view: StatusView;
  readonly ctx: RequestContext;
}

function runOf(objects: KubeObject[]): Run {
  const result = translate(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' });
  const view = statusView(objects, result.statuses);
  return {
    objects,
    result,
    view,
    ctx: {
      fleets: result.fleets,
      gateway: (nn) => view.object('Gateway', nn),
      configMapData: (nn) => (view.object('ConfigMap', nn) as { data?: Record<string, string> } | undefined)?.data,
    },
  };
}

const runs = new Map<string, Run>();
function runFor(test: ConformanceTest, mutationIndex = -1): Run {
  const key = `${test.name}#${mutationIndex}`;
  let r = runs.get(key);
  if (!r) {
    const objects = appliedObjects(test.manifests, programmatic);
    for (const m of (test.mutations ?? []).slice(0, mutationIndex + 1)) {
      m.apply({
        find: (kind, nn) => {
          const o = objects.find((x) => x.kind === kind && `${x.metadata.namespace ?? ''}/${x.metadata.name}`.replace(/^\//, '') === nn);
          if (!o) throw new Error(`${test.name}: no ${kind} ${nn} to mutate`);
          return o as unknown as ReturnType<Parameters<typeof m.apply>[0]['find']>;
        },
        remove: (kind, nn) => {
          const i = objects.findIndex((x) => x.kind === kind && `${x.metadata.namespace ?? ''}/${x.metadata.name}`.replace(/^\//, '') === nn);
          if (i >= 0) objects.splice(i, 1);
        },
      });
    }
    r = runOf(objects);
    runs.set(key, r);
  }
  return r;
}

function isRequest(step: Step): step is RequestStep & Step {
  return step.kind === 'http' || step.kind === 'grpc' || step.kind === 'weights' || step.kind === 'backend-header' || step.kind === 'tls-client-certificate';
}

function label(step: Step): string {
  switch (step.kind) {
    case 'http': {
      const r = step.request;
      const to = step.expectFailure
        ? 'fails'
        : step.redirect
          ? `redirect ${step.response?.statusCodes?.join('|')}`
          : step.backend
            ? step.backend
            : (step.response?.statusCodes ?? [200]).join('|');
      const hdr = r.headers ? ` ${JSON.stringify(r.headers)}` : '';
      return `${step.label ? `${step.label}: ` : ''}${r.method ?? 'GET'} ${r.host ?? ''}${r.path}${hdr} -> ${to}`;
    }
    case 'grpc':
      return `${step.label ? `${step.label}: ` : ''}gRPC ${step.method}${step.metadata ? ` ${JSON.stringify(step.metadata)}` : ''}${step.authority ? ` @${step.authority}` : ''} -> ${step.code ?? 'OK'} ${step.backend ?? ''}`;
    case 'weights':
      return `${step.label ? `${step.label}: ` : ''}weights ${JSON.stringify(step.weights)}`;
    case 'backend-header':
      return `every request reaches the backend its ${step.header} header names`;
    case 'tls-client-certificate':
      return `TLS :${step.port} SNI ${step.sni}: client certificate ${step.policy}, CA from ${step.trustedCa}`;
    case 'accepted':
      return `Gateway ${step.gateway}${step.listeners ? ` [${step.listeners.join(',')}]` : ''} and ${step.routes.join(', ') || 'its listeners'} accepted`;
    case 'route-condition':
      return `${step.route} on ${step.gateway}: ${step.condition.type}=${step.condition.status}/${step.condition.reason ?? '*'}`;
    case 'route-parents':
      return `${step.route} parents ${step.parents.map((p) => `${p.gateway}:${p.conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? '*'}`).join('+')}`).join(', ')}`;
    case 'route-no-accepted-parents':
      return `${step.route} has no accepted parents`;
    case 'gateway-listeners':
      return `Gateway ${step.gateway} listeners ${step.listeners.map((l) => `${l.name}(${l.attachedRoutes})`).join(', ')}`;
    case 'gateway-condition':
      return `Gateway ${step.gateway}: ${step.condition.type}=${step.condition.status}/${step.condition.reason ?? '*'}`;
    case 'listener-conditions':
      return `Gateway ${step.gateway} listeners ${step.listeners?.join(',') ?? '*'}: ${step.conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? '*'}`).join(', ')}`;
    case 'gateway-zero-routes':
      return `Gateway ${step.gateway} has zero routes`;
    case 'namespace-ready':
      return `Gateways in ${step.namespaces.join(', ')} accepted and programmed`;
    case 'gatewayclass-condition':
      return `GatewayClass ${step.gatewayClass}: ${step.condition.type}=${step.condition.status}/${step.condition.reason ?? '*'}`;
  }
}

function defineSteps(test: ConformanceTest, steps: readonly Step[], mutationIndex: number): void {
  steps.forEach((step, i) => {
    const failing = step.failing ?? test.failing;
    const title = `${String(i).padStart(2, '0')} ${label(step)}${failing ? ` [failing: ${failing}]` : ''}`;
    (failing ? it.failing : it)(title, () => {
      const run = runFor(test, mutationIndex);
      const problems = isRequest(step) ? checkRequest(run.ctx, step) : checkStatus(run.view, step);
      expect(problems).toEqual([]);
    });
  });
}

const IN_SCOPE_FILES = /^(httproute|grpcroute|gateway|gatewayclass)-.*\.go$/;

describe('conformance table', () => {
  it('reads the manifests from the pinned Go module', () => {
    expect(conformanceDir()).toMatch(/sigs\.k8s\.io\/gateway-api\/conformance@v1\.7\.\d+$/);
  });

  it('covers every upstream test of the HTTPRoute, GRPCRoute, Gateway, GatewayClass and ReferenceGrant features', () => {
    const upstream = upstreamTests().filter((t) => IN_SCOPE_FILES.test(t.file));
    const covered = new Set([...CONFORMANCE_TESTS.map((t) => t.name), ...Object.keys(OUT_OF_SCOPE)]);
    expect(upstream.filter((t) => !covered.has(t.name)).map((t) => t.name)).toEqual([]);
    expect(new Set(CONFORMANCE_TESTS.map((t) => t.name)).size).toBe(CONFORMANCE_TESTS.length);
  });

  it('applies exactly the manifests each upstream test applies', () => {
    const upstream = new Map(upstreamTests().map((t) => [t.name, t]));
    const mismatched = CONFORMANCE_TESTS.filter((t) => JSON.stringify(upstream.get(t.name)?.manifests) !== JSON.stringify(t.manifests)).map(
      (t) => `${t.name}: table ${JSON.stringify(t.manifests)}, upstream ${JSON.stringify(upstream.get(t.name)?.manifests)}`,
    );
    expect(mismatched).toEqual([]);
  });
});

for (const test of CONFORMANCE_TESTS) {
  describe(`${test.name} (${test.manifests.join(', ')})`, () => {
    defineSteps(test, test.steps, -1);
    (test.mutations ?? []).forEach((m, mi) => {
      describe(`after: ${m.label}`, () => defineSteps(test, m.steps, mi));
    });
  });
}

describe('GatewayClass status.supportedFeatures', () => {
  // The suite runs a test when every feature it needs is claimed; so each test that fails here
  // must need a feature the GatewayClass does not claim.
  const failingTests = CONFORMANCE_TESTS.filter(
    (t) => t.failing || t.steps.some((s) => s.failing) || (t.mutations ?? []).some((m) => m.steps.some((s) => s.failing)),
  );
  for (const t of failingTests) {
    const known = OVERCLAIMED[t.name];
    (known ? it.failing : it)(`does not claim every feature ${t.name} needs${known ? ` [failing: ${known}]` : ''}`, () => {
      const run = runFor(CONFORMANCE_TESTS[0]!);
      const claimed = new Set(supportedFeatures(run.view, GATEWAY_CLASS_NAME));
      const needs = upstreamTests().find((u) => u.name === t.name)?.features ?? [];
      expect(needs.length).toBeGreaterThan(0);
      expect(needs.filter((f) => !claimed.has(f))).not.toEqual([]);
    });
  }
});

describe('all conformance manifests in one snapshot', () => {
  it('translate deterministically, encode as Envoy resources, and keep each Gateway (routes, certificates) to its own fleet', () => {
    const files = [...new Set(CONFORMANCE_TESTS.flatMap((t) => t.manifests))];
    // Several files define the same object; keep the last, as applying them in order would.
    const byKey = new Map(appliedObjects(files, programmatic).map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
    const objects = [...byKey.values()];
    const a = translate(snapshotOf(objects), { now: '2026-01-01T00:00:00Z' });
    const b = translate(snapshotOf([...objects].reverse()), { now: '2026-01-01T00:00:00Z' });
    expect([...b.fleets.keys()].sort()).toEqual([...a.fleets.keys()].sort());
    const routeParents = new Map<string, Set<string>>();
    for (const o of objects) {
      if (o.kind !== 'HTTPRoute' && o.kind !== 'GRPCRoute') continue;
      const refs = ((o.spec as { parentRefs?: Array<{ name: string; namespace?: string }> } | undefined)?.parentRefs ?? []).map(
        (p) => `${p.namespace ?? o.metadata.namespace}/${p.name}`,
      );
      routeParents.set(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, new Set(refs));
    }
    // Which Secrets (by certificate) each Gateway references: listener certificates and its backend client certificate.
    const certOf = (ns: string, name: string) =>
      (objects.find((o) => o.kind === 'Secret' && o.metadata.namespace === ns && o.metadata.name === name) as { data?: Record<string, string> } | undefined)
        ?.data?.['tls.crt'];
    const referencedCerts = new Map<string, string[]>();
    for (const gw of objects.filter((o) => o.kind === 'Gateway')) {
      type Ref = { name: string; namespace?: string };
      const spec = gw.spec as { listeners?: Array<{ tls?: { certificateRefs?: Ref[] } }>; tls?: { backend?: { clientCertificateRef?: Ref } } };
      const refs = [
        ...(spec.listeners ?? []).flatMap((l) => l.tls?.certificateRefs ?? []),
        ...(spec.tls?.backend?.clientCertificateRef ? [spec.tls.backend.clientCertificateRef] : []),
      ];
      const pems = refs.map((r) => certOf(r.namespace ?? gw.metadata.namespace ?? '', r.name)).filter((c): c is string => c !== undefined);
      referencedCerts.set(
        `${gw.metadata.namespace}/${gw.metadata.name}`,
        pems.map((c) =>
          Buffer.from(c, 'base64')
            .toString('utf8')
            .replace(/-----[^-]+-----|\s+/g, ''),
        ),
      );
    }
    let certificatesChecked = 0;
    for (const [fleet, res] of a.fleets) {
      const other = b.fleets.get(fleet)!;
      // A fleet receives only its own Gateway's certificates and keys.
      for (const secret of res.secrets) {
        const chain =
          secret.tls_certificate?.certificate_chain?.inline_string ??
          (secret.tls_certificate?.certificate_chain?.inline_bytes
            ? Buffer.from(secret.tls_certificate.certificate_chain.inline_bytes as string, 'base64').toString('utf8')
            : undefined);
        if (chain === undefined) continue;
        const body = chain.replace(/-----[^-]+-----|\s+/g, '');
        certificatesChecked++;
        expect({ fleet, secret: secret.name, ownCertificate: (referencedCerts.get(fleet) ?? []).some((c) => body.includes(c)) }).toEqual({
          fleet,
          secret: secret.name,
          ownCertificate: true,
        });
      }
      for (const [field, typeUrl] of RESOURCE_FIELDS) {
        const bytes = (rs: EnvoyResourcesLike) => (rs[field] as object[]).map((r) => Buffer.from(encodeMessage(typeUrl, r)).toString('base64'));
        expect(bytes(other as unknown as EnvoyResourcesLike)).toEqual(bytes(res as unknown as EnvoyResourcesLike));
      }
      // Isolation: every Envoy route of this fleet comes from a route that names this Gateway as a parent.
      for (const rc of res.routes) {
        for (const vh of rc.virtual_hosts ?? []) {
          for (const r of vh.routes ?? []) {
            const src = routeSourceOf(r.metadata);
            if (!src) continue;
            // Routes the Gateway makes itself (e.g. answering misdirected requests) name the Gateway.
            if (src.kind === 'Gateway') {
              expect(`${src.namespace}/${src.name}`).toBe(fleet);
              continue;
            }
            expect({
              fleet,
              route: `${src.kind}/${src.namespace}/${src.name}`,
              parentOfFleet: routeParents.get(`${src.kind}/${src.namespace}/${src.name}`)?.has(fleet) ?? false,
            }).toEqual({
              fleet,
              route: `${src.kind}/${src.namespace}/${src.name}`,
              parentOfFleet: true,
            });
          }
        }
      }
    }
    expect(certificatesChecked).toBeGreaterThan(0);
  });

  it('explain answers any request to any listener of any fleet, the same way twice', () => {
    const byKey = new Map(
      appliedObjects([...new Set(CONFORMANCE_TESTS.flatMap((t) => t.manifests))], programmatic).map((o) => [
        `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`,
        o,
      ]),
    );
    const { fleets } = translate(snapshotOf([...byKey.values()]), { now: '2026-01-01T00:00:00Z' });
    let answered = 0;
    for (const res of fleets.values()) {
      for (const l of res.listeners) {
        const port = l.address?.socket_address?.port_value ?? 0;
        for (const scheme of ['http', 'https'] as const) {
          for (const host of ['example.com', 'foo.bar.com:8080', 'UNKNOWN.example.org', '[::1]:80', '']) {
            for (const path of ['/', '/v2/x?a=1&a=2', '//a/../b', '/%zz?x=%', '/match/exact/one']) {
              const req = {
                port,
                scheme,
                host,
                method: 'OPTIONS',
                path,
                headers: [
                  ['Origin', 'https://www.foo.com'],
                  ['access-control-request-method', 'GET'],
                  ['content-type', 'application/grpc'],
                ] as Array<[string, string]>,
              };
              const first = explain(res, req);
              expect(explain(res, req)).toEqual(first);
              expect(formatExplanation(first).length).toBeGreaterThan(0);
              answered++;
            }
          }
        }
      }
    }
    expect(answered).toBeGreaterThan(1000);
  });
});

type EnvoyResourcesLike = Record<string, unknown>;
