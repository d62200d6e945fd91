// The TLS inspector's view of a real ClientHello, as Node's TLS client sends it.
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { peekClientHello } from './client-hello.js';

async function clientHelloBytes(servername: string, alpn: string[]): Promise<Buffer> {
  let got = Buffer.alloc(0);
  const server = net.createServer((s) => s.on('data', (c: Buffer) => (got = Buffer.concat([got, c]))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = tls.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, servername, ALPNProtocols: alpn });
  c.on('error', () => undefined);
  while (got.length === 0) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  c.destroy();
  server.close();
  return got;
}

describe('peekClientHello', () => {
  it('reads SNI and ALPN, and asks for more bytes while the hello is incomplete', async () => {
    const hello = await clientHelloBytes('db.example.com', ['h2', 'http/1.1']);
    expect(peekClientHello(hello)).toEqual({ kind: 'tls', sni: 'db.example.com', alpn: ['h2', 'http/1.1'] });
    expect(peekClientHello(hello.subarray(0, 20))).toEqual({ kind: 'incomplete' });
  });

  it('says not-tls for plain text', () => {
    expect(peekClientHello(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ kind: 'not-tls' });
    expect(peekClientHello(Buffer.from('PRI * HTTP/2.0\r\n'))).toEqual({ kind: 'not-tls' });
  });
});
