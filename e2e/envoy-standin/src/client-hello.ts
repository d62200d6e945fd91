// What Envoy's TLS inspector reads from the first bytes of a connection:
// whether they are a TLS ClientHello, and its SNI and ALPN protocols. The
// bytes are only looked at; the connection later sees them unchanged.

export type ClientHelloPeek =
  /** More bytes are needed to decide. */
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'not-tls' }
  | { readonly kind: 'tls'; readonly sni?: string; readonly alpn: readonly string[] };

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const EXT_ALPN = 0x0010;

export function peekClientHello(buf: Buffer): ClientHelloPeek {
  if (buf.length < 1) return { kind: 'incomplete' };
  if (buf[0] !== HANDSHAKE) return { kind: 'not-tls' };
  if (buf.length < 5) return { kind: 'incomplete' };
  if (buf[1] !== 0x03) return { kind: 'not-tls' };
  // The ClientHello may span several records; join their payloads.
  const payload: Buffer[] = [];
  let off = 0;
  let have = 0;
  let need = -1;
  while (need < 0 || have < need) {
    if (buf.length < off + 5) return { kind: 'incomplete' };
    if (buf[off] !== HANDSHAKE) return { kind: 'not-tls' };
    const len = buf.readUInt16BE(off + 3);
    if (buf.length < off + 5 + len) return { kind: 'incomplete' };
    payload.push(buf.subarray(off + 5, off + 5 + len));
    have += len;
    off += 5 + len;
    if (need < 0) {
      const first = Buffer.concat(payload);
      if (first.length < 4) continue;
      if (first[0] !== CLIENT_HELLO) return { kind: 'not-tls' };
      need = 4 + first.readUIntBE(1, 3);
    }
  }
  try {
    return parseHello(Buffer.concat(payload).subarray(4, need));
  } catch {
    return { kind: 'not-tls' };
  }
}

function parseHello(h: Buffer): ClientHelloPeek {
  let p = 2 + 32; // version, random
  p += 1 + h.readUInt8(p); // session id
  p += 2 + h.readUInt16BE(p); // cipher suites
  p += 1 + h.readUInt8(p); // compression methods
  let sni: string | undefined;
  const alpn: string[] = [];
  if (p + 2 > h.length) return { kind: 'tls', alpn };
  const end = p + 2 + h.readUInt16BE(p);
  p += 2;
  while (p + 4 <= end) {
    const type = h.readUInt16BE(p);
    const len = h.readUInt16BE(p + 2);
    const body = h.subarray(p + 4, p + 4 + len);
    p += 4 + len;
    if (type === EXT_SERVER_NAME) {
      let q = 2;
      while (q + 3 <= body.length) {
        const nameType = body.readUInt8(q);
        const nameLen = body.readUInt16BE(q + 1);
        if (nameType === 0) sni = body.subarray(q + 3, q + 3 + nameLen).toString('ascii');
        q += 3 + nameLen;
      }
    } else if (type === EXT_ALPN) {
      let q = 2;
      while (q + 1 <= body.length) {
        const l = body.readUInt8(q);
        alpn.push(body.subarray(q + 1, q + 1 + l).toString('ascii'));
        q += 1 + l;
      }
    }
  }
  return { kind: 'tls', ...(sni !== undefined ? { sni } : {}), alpn };
}
