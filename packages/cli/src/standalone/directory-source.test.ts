// The directory as standalone mode reads it: what a scan reports after files change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectorySource } from './directory-source.js';

const service = (port: number) => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec:
  ports: [{port: ${port}}]
`;

const portsOf = (objects: readonly { spec?: unknown }[]) => objects.map((o) => (o.spec as { ports: Array<{ port: number }> }).ports[0]!.port);

describe('DirectorySource', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-source-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sees a same-size rewrite of an old file even when its modification time is put back', async () => {
    const file = path.join(dir, 'svc.yaml');
    fs.writeFileSync(file, service(8080));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(file, old, old);
    // Every stat trusted, however recent the change.
    const source = new DirectorySource(dir, -1000);
    expect(portsOf((await source.scan()).objects)).toEqual([8080]);
    expect((await source.scan()).changed).toBe(false);

    // Same size, same mtime: only the change time (which no one can set) differs.
    fs.writeFileSync(file, service(9090));
    fs.utimesSync(file, old, old);
    const scan = await source.scan();
    expect([scan.changed, portsOf(scan.objects)]).toEqual([true, [9090]]);
  });

  it('sees a second same-size write right after a read', async () => {
    const file = path.join(dir, 'svc.yaml');
    fs.writeFileSync(file, service(8080));
    const source = new DirectorySource(dir);
    expect(portsOf((await source.scan()).objects)).toEqual([8080]);
    fs.writeFileSync(file, service(9090));
    const scan = await source.scan();
    expect([scan.changed, portsOf(scan.objects)]).toEqual([true, [9090]]);
    expect((await source.scan()).changed).toBe(false);
  });
});
