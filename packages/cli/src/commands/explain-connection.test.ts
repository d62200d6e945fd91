// `switchyard explain` with a connection target (tls://, tcp://, udp://):
// what the Gateway's Envoy does with a TLS, TCP or UDP connection.
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../../test/capture.js';
import { docExamples, expectShownInOrder, REPO_ROOT } from '../../test/doc-examples.js';
import { parseConnection } from './explain.js';

const EXAMPLES = path.join(REPO_ROOT, 'examples');

describe('switchyard explain CONNECTION', () => {
  it('parses tls://SNI[:PORT], tcp://HOST:PORT and udp://HOST:PORT, leaves http(s) URLs to the request parser', () => {
    expect(parseConnection(['tls://db.example.com'], undefined)).toEqual({ port: 443, transport: 'tls', sni: 'db.example.com' });
    expect(parseConnection(['tls://db.example.com:8443'], undefined)).toEqual({ port: 8443, transport: 'tls', sni: 'db.example.com' });
    expect(parseConnection(['tcp://redis:6379'], undefined)).toEqual({ port: 6379, transport: 'raw' });
    expect(parseConnection(['udp://dns'], '5353')).toEqual({ port: 5353, transport: 'udp' });
    expect(parseConnection(['GET https://example.com/'], undefined)).toBeUndefined();
    expect(() => parseConnection(['tcp://redis'], undefined)).toThrow('explain: tcp:// needs a port, e.g. tcp://example.com:5432');
  });

  it('explains a passthrough TLS connection by SNI', async () => {
    const r = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/passthrough-gateway', 'tls://db.example.com']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual([
      'Listener tcp-443, filter chain tls-443/tls/db.example.com (SNI and ALPN read by the TLS inspector)',
      'TLS: passed through to the backend (not decrypted)',
      'TCP proxy to:',
      '  100% (weight 1) Service networking/tls-passthrough-backend:8443',
      '',
    ]);
    const other = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/passthrough-gateway', 'tls://www.example.com']);
    expect(other.stdout).toBe('No: listener tcp-443 has no filter chain for SNI "www.example.com" and no default_filter_chain: Envoy closes the connection\n');
  });

  it('explains weighted TCP and UDP backends and a required client certificate', async () => {
    const tcp = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/tcp-weighted-gateway', 'tcp://redis.example.com:6379']);
    expect(tcp.stdout).toContain('  90% (weight 90) Service networking/redis-a:6379\n  10% (weight 10) Service networking/redis-b:6379');
    const udp = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/udp-dns-gateway', 'udp://dns.example.com:5353']);
    expect(udp.stdout).toContain('UDP proxy to:\n  70% (weight 70) Service networking/resolver-a:53\n  30% (weight 30) Service networking/resolver-b:53');
    const mtls = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/mtls-gateway', 'tls://secure.example.com']);
    expect(mtls.stdout).toContain('Client certificate: required, verified against ca/ConfigMap/networking/example-client-ca');
    const json = await runCli(['explain', '-f', EXAMPLES, '--gateway', 'networking/mtls-gateway', '-o', 'json', 'tls://secure.example.com:8443']);
    expect(JSON.parse(json.stdout)).toMatchObject({ outcome: 'accepted', tls: { mode: 'terminate', clientCertificate: 'optional' } });
  });
});

// The command examples of docs/tls-and-l4.md run as shown (as docs.test.ts does for docs/cli.md).
describe('docs/tls-and-l4.md', () => {
  const examples = docExamples(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'tls-and-l4.md'), 'utf8'));
  it('has command examples', () => expect(examples.length).toBeGreaterThanOrEqual(5));
  it.each(examples.map((e) => [e.command, e] as const))('switchyard %s', async (_name, e) => {
    const r = await runCli(e.argv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectShownInOrder(r.stdout, e.shown);
  });
});
