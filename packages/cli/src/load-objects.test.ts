import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expandPath, formatLoadError, loadObjects, parseManifests, parseManifestsWithPositions } from './load-objects.js';

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-load-'));
}

const route = (name: string, extra = '') => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}${extra}
spec:
  parentRefs: [{name: gw}]
`;

function messages(text: string, file = 'in.yaml'): string[] {
  return parseManifests(text, file).errors.map(formatLoadError);
}

describe('parseManifests', () => {
  it('reads multi-document YAML, defaults the namespace of namespaced kinds, and skips empty documents', () => {
    const r = parseManifests(
      `---\n${route('a')}---\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: switchyard}\nspec: {controllerName: switchyard.dev/gateway-controller}\n`,
      'f.yaml',
    );
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => [o.object.kind, o.object.metadata.namespace, o.object.metadata.name, o.document])).toEqual([
      ['HTTPRoute', 'default', 'a', 1],
      ['GatewayClass', undefined, 'switchyard', 3],
    ]);
    expect(r.objects[0]!.object.metadata.generation).toBe(1);
  });

  it('reads JSON and kind: List', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'apps' } }] };
    const r = parseManifests(JSON.stringify(list), 'l.json');
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => `${o.object.kind} ${o.object.metadata.namespace}/${o.object.metadata.name}`)).toEqual(['Service apps/s']);
  });

  it('names the file, line, object and field of a missing metadata.name', () => {
    expect(messages(`${route('ok')}---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  namespace: apps\n`)).toEqual([
      'in.yaml:8: document 2 (HTTPRoute): metadata.name: required field is missing',
    ]);
  });

  it('reports a missing apiVersion or kind, an unknown kind and an unserved version', () => {
    expect(messages('kind: Gateway\nmetadata: {name: g}\n')).toEqual(['in.yaml:1: document 1: apiVersion: required field is missing']);
    expect(messages('apiVersion: v1\nmetadata: {name: g}\n')).toEqual(['in.yaml:1: document 1: kind: required field is missing']);
    expect(messages('apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoutes\nmetadata: {name: web, namespace: apps}\n')).toEqual([
      'in.yaml:1: HTTPRoutes apps/web: kind: unknown kind "HTTPRoutes" in gateway.networking.k8s.io/v1 (known kinds: BackendTLSPolicy, GRPCRoute, Gateway, GatewayClass, HTTPRoute, ListenerSet, ReferenceGrant, TCPRoute, TLSRoute, UDPRoute)',
    ]);
    expect(messages('apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: HTTPRoute\nmetadata: {name: web}\n')[0]).toBe(
      'in.yaml:1: HTTPRoute web: apiVersion: HTTPRoute is not served as gateway.networking.k8s.io/v1alpha2 (served versions: gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1)',
    );
    expect(messages('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n')[0]).toMatch(
      /^in\.yaml:1: Widget w: apiVersion: unknown API group "example\.com"/,
    );
  });

  it('reports invalid names, namespaces on cluster-scoped kinds and non-string labels', () => {
    expect(messages(route('Web_1'))).toEqual([
      `in.yaml:1: document 1 (HTTPRoute): metadata.name: "Web_1" is not a valid name (lower case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)`,
    ]);
    expect(messages('apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c, namespace: x}\n')).toEqual([
      'in.yaml:1: GatewayClass c: metadata.namespace: GatewayClass is cluster-scoped and takes no namespace',
    ]);
    expect(messages(route('web', '\n  labels: {canary: true}'))).toEqual([
      'in.yaml:1: HTTPRoute default/web: metadata.labels.canary: must be a string, got boolean true (quote it)',
    ]);
    expect(messages('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: [1]\n')).toEqual([
      'in.yaml:1: Service default/s: spec: must be a mapping, got a list',
    ]);
  });

  it('reports a YAML syntax error with its line and keeps the other documents', () => {
    const r = parseManifests(`${route('a')}---\nkind: [unclosed\n---\n${route('b')}`, 'bad.yaml');
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(['a', 'b']);
    expect(r.errors.map(formatLoadError)).toHaveLength(1);
    expect(formatLoadError(r.errors[0]!)).toMatch(/^bad\.yaml:9: document 2: invalid YAML: Flow sequence/);
  });

  it('reports a document that is not a mapping', () => {
    expect(messages('- a\n- b\n')).toEqual(['in.yaml:1: document 1: expected a Kubernetes object (a mapping with apiVersion, kind and metadata), got a list']);
  });
});

describe('parseManifests: the fast reader and the position-aware one agree', () => {
  const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');

  it('on every example file', async () => {
    const files = await expandPath(examples, []);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      expect({ file, ...parseManifests(text, file) }).toEqual({ file, ...parseManifestsWithPositions(text, file) });
    }
  });

  it.each([
    ['empty documents and comments', `# only a comment\n---\n${route('a')}---\n# another\n---\n${route('b')}...\n`],
    ['scalars of the YAML 1.2 core schema', `${route('a')}  annotations: {t: "2024-01-01", y: "yes", o: "0o17"}\n  generation: 0x2\n`],
    ['anchors and aliases', `${route('a')}  labels: &l {team: web}\n  annotations: *l\n`],
    ['JSON', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { a: 'b' } } })],
    ['an error among good documents', `${route('a')}---\n${route('Bad_Name')}`],
  ])('on %s', (_what, text) => {
    expect(parseManifests(text, 'x.yaml')).toEqual(parseManifestsWithPositions(text, 'x.yaml'));
  });

  it('refuses an alias expansion bomb with the line of the document', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const r = parseManifests(`${route('a')}---\n${bomb.join('\n')}\n`, 'bomb.yaml');
    expect(r.objects.map((o) => o.object.metadata.name)).toEqual(['a']);
    expect(r.errors.map(formatLoadError)).toEqual([expect.stringMatching(/^bomb\.yaml:8: document 2: invalid YAML: .*alias/i)]);
  });
});

describe('loadObjects', () => {
  it('walks directories recursively in name order, reading only manifest files', async () => {
    const dir = tmpdir();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.mkdirSync(path.join(dir, '.hidden'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), route('b'));
    fs.writeFileSync(path.join(dir, 'a.yml'), route('a'));
    fs.writeFileSync(path.join(dir, 'sub', 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } }));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not yaml: [');
    fs.writeFileSync(path.join(dir, '.hidden', 'd.yaml'), route('d'));
    const r = await loadObjects([dir]);
    expect(r.errors).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b', 'c']);
  });

  it('warns when one object is defined twice with different content, not when the copies agree', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'a.yaml'), route('web'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), route('web'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), route('web').replace('name: gw', 'name: other'));
    const r = await loadObjects([path.join(dir, 'a.yaml'), path.join(dir, 'b.yaml')]);
    expect(r.warnings).toEqual([]);
    const d = await loadObjects([dir]);
    expect(d.errors).toEqual([]);
    expect(d.warnings!.map(formatLoadError)).toEqual([
      `${path.join(dir, 'c.yaml')}: HTTPRoute default/web: also defined, differently, in ${path.join(dir, 'b.yaml')} (document 1); this later definition is used`,
    ]);
  });

  it('reads - from stdin and reports unreadable paths', async () => {
    const r = await loadObjects(['-', '/definitely/not/here.yaml'], { stdin: Readable.from([Buffer.from(route('from-stdin'))]) });
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['from-stdin']);
    expect(r.errors.map(formatLoadError)).toEqual(['/definitely/not/here.yaml: cannot read file: no such file or directory']);
  });
});
