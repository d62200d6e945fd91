// Names of generated objects and listeners: valid Kubernetes names, stable
// and unique per kind and namespace.

/** Gateway API PreciseHostname: lower-case DNS name, no port, no wildcard. */
export const PRECISE_HOSTNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes name from an IngressClass name (already valid, but be safe with case). */
export function gatewayName(className: string): string {
  return dnsName(className) || 'gateway';
}

/** Lower-cases and replaces what a DNS subdomain name cannot hold; "*" becomes "wildcard". */
export function dnsName(s: string): string {
  return s
    .toLowerCase()
    .replace(/\*/g, 'wildcard')
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .replace(/\.{2,}/g, '.')
    .slice(0, 200);
}

/** 8 hex digits of FNV-1a: keeps truncated names distinct and stable. */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Hands out unique names per kind and namespace: base, base-2, base-3, ... */
export class NameRegistry {
  private readonly taken = new Set<string>();
  claim(kind: string, namespace: string, wanted: string): string {
    // Object names are at most 253 characters; leave room for a "-N" suffix.
    const base = wanted.length > 240 ? `${wanted.slice(0, 231).replace(/[-.]+$/, '')}-${shortHash(wanted)}` : wanted;
    let name = base;
    for (let i = 2; this.taken.has(`${kind}/${namespace}/${name}`); i++) name = `${base}-${i}`;
    this.taken.add(`${kind}/${namespace}/${name}`);
    return name;
  }
}

export const HTTP_LISTENER = 'http';

export function httpsListenerName(host: string): string {
  return host === '' ? 'https' : `https-${dnsName(host)}`;
}

export function passthroughListenerName(host: string): string {
  return `tls-passthrough-${dnsName(host)}`;
}
