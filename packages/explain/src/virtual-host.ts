// Virtual host selection by Host, as Envoy's route table does it: an exact
// domain first, then suffix wildcards ("*.example.com", longest first), then
// prefix wildcards ("example.*", longest first), then the "*" host. A
// wildcard must cover at least one character of the host.
import type { RouteConfiguration } from '@switchyard/protos/generated/envoy/config/route/v3/RouteConfiguration.js';
import type { VirtualHost } from '@switchyard/protos/generated/envoy/config/route/v3/VirtualHost.js';

export interface VirtualHostChoice {
  readonly virtualHost: VirtualHost;
  readonly index: number;
  /** The domain entry that selected it. */
  readonly domain: string;
}

/** `host` must already be lower-cased and port-stripped as the route table asks (see hostForMatching). */
export function selectVirtualHost(table: RouteConfiguration, host: string): VirtualHostChoice | undefined {
  const vhosts = table.virtual_hosts ?? [];
  let fallback: VirtualHostChoice | undefined;
  let bestSuffix: VirtualHostChoice | undefined;
  let bestSuffixLen = -1;
  let bestPrefix: VirtualHostChoice | undefined;
  let bestPrefixLen = -1;
  for (const [index, virtualHost] of vhosts.entries()) {
    for (const raw of virtualHost.domains ?? []) {
      const domain = raw.toLowerCase();
      if (domain === '*') {
        fallback ??= { virtualHost, index, domain: raw };
      } else if (domain.startsWith('*')) {
        const suffix = domain.slice(1);
        if (suffix.length < host.length && host.endsWith(suffix) && suffix.length > bestSuffixLen) {
          bestSuffix = { virtualHost, index, domain: raw };
          bestSuffixLen = suffix.length;
        }
      } else if (domain.endsWith('*')) {
        const prefix = domain.slice(0, -1);
        if (prefix.length < host.length && host.startsWith(prefix) && prefix.length > bestPrefixLen) {
          bestPrefix = { virtualHost, index, domain: raw };
          bestPrefixLen = prefix.length;
        }
      } else if (domain === host) {
        // Envoy rejects a table with a domain on two virtual hosts, so the first exact match is the only one.
        return { virtualHost, index, domain: raw };
      }
    }
  }
  return bestSuffix ?? bestPrefix ?? fallback;
}
