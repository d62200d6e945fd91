// Every example of the guide, as shipped in examples/: it loads, translates,
// gives every Switchyard Gateway a fleet that xdscheck (the stand-in for
// "Envoy accepts this") passes, and every route the status a user expects.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runXdscheck } from '@switchyard/xds/test/xdscheck.js';
import { runCli } from '../test/capture.js';
import type { RenderedTranslation } from './render.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const EXAMPLES = path.join(REPO, 'examples');
// Recursive, as `serve --from-dir` reads it (standalone/ holds the loopback endpoints).
const exampleFiles = (fs.readdirSync(EXAMPLES, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).sort();

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { gatewayClassName?: string; parentRefs?: Array<{ name: string; namespace?: string }> };
}

function manifests(): Manifest[] {
  return exampleFiles.flatMap((f) =>
    parseAllDocuments(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'))
      .map((d) => d.toJS() as Manifest)
      .filter((m) => m),
  );
}

async function translateJson(args: string[]): Promise<RenderedTranslation> {
  const r = await runCli(['translate', ...args, '-o', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as RenderedTranslation;
}

function conditionsOf(status: unknown): Condition[] {
  return ((status as { conditions?: Condition[] } | undefined)?.conditions ?? []).map(({ type, status, reason, message }) => ({
    type,
    status,
    reason,
    message,
  }));
}

describe('examples/', () => {
  let doc: RenderedTranslation;

  beforeAll(async () => {
    doc = await translateJson(['-f', EXAMPLES]);
  });

  it('gives every Gateway of class switchyard a fleet, Accepted and Programmed', () => {
    const gateways = manifests().filter((m) => m.kind === 'Gateway' && m.spec?.gatewayClassName === 'switchyard');
    const ids = gateways.map((g) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`).sort();
    expect(ids.length).toBeGreaterThan(5);
    expect(Object.keys(doc.fleets).sort()).toEqual(ids);
    for (const id of ids) {
      const [ns, name] = id.split('/');
      const s = doc.statuses.find((x) => x.kind === 'Gateway' && x.namespace === ns && x.name === name);
      const conds = conditionsOf(s?.status);
      expect({ id, accepted: conds.find((c) => c.type === 'Accepted')?.status, programmed: conds.find((c) => c.type === 'Programmed')?.status }).toEqual({
        id,
        accepted: 'True',
        programmed: 'True',
      });
      expect(doc.fleets[id]!.listeners.length).toBeGreaterThan(0);
    }
  });

  it('accepts every route with all references resolved', () => {
    const routes = manifests().filter((m) => m.kind.endsWith('Route'));
    expect(routes.length).toBeGreaterThan(8);
    for (const r of routes) {
      const ns = r.metadata.namespace ?? 'default';
      const s = doc.statuses.find((x) => x.kind === r.kind && x.namespace === ns && x.name === r.metadata.name);
      const parents = (s?.status as { parents?: Array<{ parentRef: { name: string }; conditions: Condition[] }> } | undefined)?.parents ?? [];
      expect({ route: `${r.kind} ${ns}/${r.metadata.name}`, parents: parents.length }).toEqual({
        route: `${r.kind} ${ns}/${r.metadata.name}`,
        parents: r.spec!.parentRefs!.length,
      });
      for (const p of parents) {
        const summary = Object.fromEntries(conditionsOf(p).map((c) => [c.type, c.status === 'True' ? 'True' : `${c.status} ${c.reason}: ${c.message}`]));
        expect({ route: `${r.kind} ${ns}/${r.metadata.name}`, Accepted: summary.Accepted, ResolvedRefs: summary.ResolvedRefs }).toEqual({
          route: `${r.kind} ${ns}/${r.metadata.name}`,
          Accepted: 'True',
          ResolvedRefs: 'True',
        });
      }
    }
  });

  it("leaves the guide's nginx GatewayClass to its own controller", () => {
    expect(doc.statuses.find((s) => s.kind === 'GatewayClass' && s.name === 'nginx')).toBeUndefined();
    const own = doc.statuses.find((s) => s.kind === 'GatewayClass' && s.name === 'switchyard');
    expect(conditionsOf(own?.status).find((c) => c.type === 'Accepted')?.status).toBe('True');
  });

  it('gives every backend cluster its EndpointSlice endpoint on 127.0.0.1', () => {
    const eps = doc.fleets['networking/external-gateway']!.endpoints as Array<{
      clusterName: string;
      endpoints?: Array<{ lbEndpoints?: Array<{ endpoint: { address: { socketAddress: { address: string; portValue: number } } } }> }>;
    }>;
    const addresses = eps
      .flatMap((e) => e.endpoints ?? [])
      .flatMap((l) => l.lbEndpoints ?? [])
      .map((l) => `${l.endpoint.address.socketAddress.address}:${l.endpoint.address.socketAddress.portValue}`);
    expect(addresses).toEqual(expect.arrayContaining(['127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9003', '127.0.0.1:9005', '127.0.0.1:9006']));
  });

  it('applies the XTelemetryPolicy example: Accepted and resolved, its Gateway traced to the collector Service', () => {
    const s = doc.statuses.find((x) => x.kind === 'XTelemetryPolicy' && x.namespace === 'networking' && x.name === 'gateway-tracing');
    const ancestors = (s?.status as { ancestors?: Array<{ ancestorRef: { name: string } }> } | undefined)?.ancestors ?? [];
    expect(ancestors.map((a) => [a.ancestorRef.name, ...conditionsOf(a).map((c) => `${c.type}=${c.status}`)])).toEqual([
      ['telemetry-gateway', 'Accepted=True', 'ResolvedRefs=True'],
    ]);
    const hcm = (doc.fleets['networking/telemetry-gateway']!.listeners[0] as { filterChains: Array<{ filters: Array<{ typedConfig: unknown }> }> })
      .filterChains[0]!.filters[0]!.typedConfig as { tracing?: { provider: { typedConfig: { grpcService: { envoyGrpc: { clusterName: string } } } } } };
    expect(hcm.tracing?.provider.typedConfig.grpcService.envoyGrpc.clusterName).toBe('networking/otel-collector:4317/h2c');
  });

  it('applies the listener filters example: the listener checks every request with the ext_authz service before routing', () => {
    type Hcm = {
      httpFilters: Array<{ name: string; disabled?: boolean; typedConfig: { '@type': string; grpcService?: { envoyGrpc: { clusterName: string } } } }>;
    };
    const fleet = doc.fleets['networking/authenticated-gateway']!;
    const hcm = (fleet.listeners[0] as { filterChains: Array<{ filters: Array<{ typedConfig: Hcm }> }> }).filterChains[0]!.filters[0]!.typedConfig;
    expect(hcm.httpFilters[0]).toMatchObject({
      name: 'listener/http/0/ext_authz',
      disabled: true,
      typedConfig: { grpcService: { envoyGrpc: { clusterName: 'networking/ext-authz:9191/h2c' } } },
    });
    const vh = (fleet.routes[0] as { virtualHosts: Array<{ typedPerFilterConfig?: Record<string, unknown> }> }).virtualHosts[0]!;
    expect(Object.keys(vh.typedPerFilterConfig ?? {})).toEqual(['listener/http/0/ext_authz']);
  });

  it('passes xdscheck, fleet by fleet', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-examples-')), 'translate.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = await runXdscheck(['-file', file]);
    expect(`${r.stdout}${r.stderr}`).toMatch(/OK\n$/);
    expect(r.code).toBe(0);
  }, 300_000);

  it.each(exampleFiles)(
    '%s translates on its own, and passes xdscheck',
    async (f) => {
      const own = await translateJson(['-f', path.join(EXAMPLES, f), '--add-missing-endpoints']);
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-example-')), 'translate.json');
      fs.writeFileSync(file, JSON.stringify(own));
      const r = await runXdscheck(['-file', file]);
      expect(`${r.stdout}${r.stderr}`).toMatch(/OK\n$/);
    },
    300_000,
  );
});
