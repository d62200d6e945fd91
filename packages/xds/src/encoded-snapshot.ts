// A fleet's resources, encoded once per change. Each resource carries its
// content hash (its version for delta xDS), its encoded Any and delta Resource
// envelopes (shared by every stream of the fleet), and the names it refers to
// (clusters, endpoints, secrets, route configurations), which make-before-break
// ordering needs. Unchanged resources and whole unchanged types keep their
// previous objects, so streams can tell "nothing changed" by identity.
import { createHash } from 'node:crypto';
import { encodeMessage, RESOURCE_FIELDS, resourceName, TypeUrl, type EnvoyResources, type ResourceTypeUrl, type RouteConfiguration } from '@switchyard/protos';
import { encodeRouteConfiguration } from './virtual-host-encoding.js';
import { encodeResourceEnvelopes } from './wire.js';

/** Anything with a name and a version: an encoded resource, or one a client reports it has. */
export interface Versioned {
  readonly name: string;
  readonly version: string;
}

/** The names one resource refers to. */
export interface References {
  readonly clusters: readonly string[];
  readonly endpoints: readonly string[];
  readonly secrets: readonly string[];
  readonly routeConfigs: readonly string[];
}

export interface EncodedResource extends Versioned {
  readonly typeUrl: ResourceTypeUrl;
  /** google.protobuf.Any holding the resource, for DiscoveryResponse.resources. */
  readonly any: Buffer;
  /** envoy.service.discovery.v3.Resource, for DeltaDiscoveryResponse.resources. */
  readonly delta: Buffer;
  readonly refs: References;
  /**
   * Hash of the plain object's JSON text. Serialising to JSON is several
   * times cheaper than protobuf encoding, so an unchanged resource handed in
   * as a new object is recognised without encoding it again. A
   * RouteConfiguration's is its version: it is encoded per virtual host,
   * reusing the unchanged ones, which costs less than its JSON text.
   */
  readonly fingerprint: string;
}

export function isEncoded(v: Versioned): v is EncodedResource {
  return 'any' in v;
}

export interface TypeSet {
  readonly typeUrl: ResourceTypeUrl;
  /** Hash over the sorted name:version list: the state-of-the-world version of the full set. */
  readonly version: string;
  readonly resources: ReadonlyMap<string, EncodedResource>;
  /**
   * What changed since the previous set of this type (computed once per
   * fleet), so a stream in sync with that set looks only at these names
   * instead of diffing the whole type.
   */
  readonly base?: TypeSetDiff;
}

export interface TypeSetDiff {
  /** The version of the previous set. */
  readonly version: string;
  /** Names added or changed. */
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export interface EncodedSnapshot {
  readonly fleet: string;
  /** Hash over the type versions; used as the delta system_version_info. */
  readonly version: string;
  readonly types: ReadonlyMap<ResourceTypeUrl, TypeSet>;
}

const NO_REFS: References = { clusters: [], endpoints: [], secrets: [], routeConfigs: [] };

// Objects handed to the cache are treated as immutable (EnvoyResources is
// readonly throughout); a caller that passes the same object again is not
// charged a second encode.
const encodedByObject = new WeakMap<object, EncodedResource>();

export function hashHex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 16);
}

/** The version of a set of resources: independent of order, changes with any member. */
export function setVersion(resources: Iterable<Versioned>): string {
  const entries = [...resources].map((r) => `${r.name}\u0000${r.version}`).sort();
  return hashHex(entries.join('\n'));
}

export function emptyTypeSet(typeUrl: ResourceTypeUrl): TypeSet {
  return { typeUrl, version: setVersion([]), resources: new Map() };
}

/**
 * Encodes a fleet's resources. Throws (naming fleet, type and resource) on a
 * resource without a name, a duplicate name, or a value protobufjs cannot
 * encode: those are programming errors of the caller, not user input.
 */
export function encodeSnapshot(fleet: string, resources: EnvoyResources, previous?: EncodedSnapshot): EncodedSnapshot {
  const types = new Map<ResourceTypeUrl, TypeSet>();
  for (const [field, typeUrl] of RESOURCE_FIELDS) {
    const prevSet = previous?.types.get(typeUrl);
    const map = new Map<string, EncodedResource>();
    for (const value of resources[field]) {
      const name = resourceName(value);
      if (name === '') throw new Error(`xds: fleet ${fleet}: a ${shortType(typeUrl)} has no name`);
      if (map.has(name)) throw new Error(`xds: fleet ${fleet}: duplicate ${shortType(typeUrl)} name ${JSON.stringify(name)}`);
      let enc = encodedByObject.get(value);
      if ((!enc || enc.typeUrl !== typeUrl) && typeUrl === TypeUrl.RouteConfiguration) {
        // Encoded per virtual host (unchanged ones are reused), so the bytes are cheaper than a JSON fingerprint.
        const prev = prevSet?.resources.get(name);
        enc = encodeRouteConfigurationResource(fleet, name, value as RouteConfiguration);
        if (prev && prev.version === enc.version) enc = prev;
        encodedByObject.set(value, enc);
      } else if (!enc || enc.typeUrl !== typeUrl) {
        const fingerprint = fingerprintOf(value);
        const prev = prevSet?.resources.get(name);
        if (prev && fingerprint !== undefined && prev.fingerprint === fingerprint) enc = prev;
        else {
          enc = encodeResource(fleet, typeUrl, name, value, fingerprint ?? '');
          if (prev && prev.version === enc.version) enc = prev;
        }
        encodedByObject.set(value, enc);
      }
      map.set(name, enc);
    }
    // Every resource the previous one (most types, most changes): the previous set, without sorting and hashing its names.
    if (prevSet && sameResources(prevSet.resources, map)) {
      types.set(typeUrl, prevSet);
      continue;
    }
    const version = setVersion(map.values());
    if (prevSet && prevSet.version === version) types.set(typeUrl, prevSet);
    else types.set(typeUrl, { typeUrl, version, resources: map, base: prevSet ? diffSets(prevSet, map) : undefined });
  }
  const version = hashHex(RESOURCE_FIELDS.map(([, t]) => types.get(t)!.version).join(','));
  return { fleet, version, types };
}

function sameResources(a: ReadonlyMap<string, EncodedResource>, b: ReadonlyMap<string, EncodedResource>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, r] of b) if (a.get(name) !== r) return false;
  return true;
}

function diffSets(prev: TypeSet, next: ReadonlyMap<string, EncodedResource>): TypeSetDiff {
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, r] of next) if (prev.resources.get(name)?.version !== r.version) changed.push(name);
  for (const name of prev.resources.keys()) if (!next.has(name)) removed.push(name);
  return { version: prev.version, changed, removed };
}

function fingerprintOf(value: object): string | undefined {
  try {
    return hashHex(JSON.stringify(value));
  } catch {
    return undefined; // e.g. a BigInt somewhere: encode to compare instead
  }
}

function encodeResource(fleet: string, typeUrl: ResourceTypeUrl, name: string, value: object, fingerprint: string): EncodedResource {
  const bytes = encodeNamed(fleet, typeUrl, name, () => encodeMessage(typeUrl, value));
  return encoded(typeUrl, name, bytes, referencesOf(typeUrl, name, value), fingerprint);
}

/** A RouteConfiguration's resource; its fingerprint is its version (the hash of its bytes). */
function encodeRouteConfigurationResource(fleet: string, name: string, value: RouteConfiguration): EncodedResource {
  const typeUrl = TypeUrl.RouteConfiguration;
  const { chunks, parts } = encodeNamed(fleet, typeUrl, name, () => encodeRouteConfiguration(value, (part) => referencesOf(typeUrl, name, part)));
  // The hash of the pieces in order is the hash of the whole: no 612 KB splice before the envelope's copy.
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(c);
  const version = hash.digest('hex').slice(0, 16);
  const { any, delta } = encodeResourceEnvelopes(typeUrl, name, version, chunks);
  return { typeUrl, name, version, any, delta, refs: unionOf(parts), fingerprint: version };
}

function encodeNamed<T>(fleet: string, typeUrl: ResourceTypeUrl, name: string, encode: () => T): T {
  try {
    return encode();
  } catch (e) {
    throw new Error(`xds: fleet ${fleet}: cannot encode ${shortType(typeUrl)} ${JSON.stringify(name)}: ${(e as Error).message}`);
  }
}

function encoded(typeUrl: ResourceTypeUrl, name: string, bytes: Uint8Array, refs: References, fingerprint: string | undefined): EncodedResource {
  const version = hashHex(bytes);
  const { any, delta } = encodeResourceEnvelopes(typeUrl, name, version, bytes);
  return { typeUrl, name, version, any, delta, refs, fingerprint: fingerprint ?? version };
}

function shortType(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

/**
 * Collects the names a resource refers to by walking its plain-object form
 * (typed_config Any values are plain objects too). Over-collecting is safe:
 * references only delay a removal or an update, never drop one.
 */
export function referencesOf(typeUrl: ResourceTypeUrl, name: string, value: object): References {
  const clusters = new Set<string>();
  const secrets = new Set<string>();
  const routeConfigs = new Set<string>();
  const endpoints = new Set<string>();
  walk(value, (key, v) => {
    // RouteAction.cluster, RequestMirrorPolicy.cluster, TcpProxy.cluster, UDP proxy Route.cluster.
    if (key === 'cluster' && typeof v === 'string') clusters.add(v);
    // weighted_clusters.clusters[].name (HTTP routes and tcp_proxy).
    else if (key === 'weighted_clusters' && isObject(v)) {
      const list = (v as { clusters?: unknown }).clusters;
      if (Array.isArray(list)) for (const c of list) if (isObject(c) && typeof c.name === 'string') clusters.add(c.name);
    } else if (key === 'tls_certificate_sds_secret_configs' && Array.isArray(v)) {
      for (const s of v) if (isObject(s) && typeof s.name === 'string') secrets.add(s.name);
    } else if ((key === 'validation_context_sds_secret_config' || key === 'session_ticket_keys_sds_secret_config') && isObject(v)) {
      if (typeof v.name === 'string') secrets.add(v.name);
    } else if (key === 'rds' && isObject(v) && typeof v.route_config_name === 'string') routeConfigs.add(v.route_config_name);
  });
  if (typeUrl === TypeUrl.Cluster) {
    const c = value as { type?: unknown; eds_cluster_config?: { service_name?: string } };
    if (c.type === 'EDS' || c.type === 3 || c.eds_cluster_config) endpoints.add(c.eds_cluster_config?.service_name || name);
  }
  return referencesFrom(clusters, endpoints, secrets, routeConfigs);
}

function referencesFrom(clusters: Set<string>, endpoints: Set<string>, secrets: Set<string>, routeConfigs: Set<string>): References {
  if (clusters.size + secrets.size + routeConfigs.size + endpoints.size === 0) return NO_REFS;
  return { clusters: [...clusters], endpoints: [...endpoints], secrets: [...secrets], routeConfigs: [...routeConfigs] };
}

/** The references of a resource's parts, in the order referencesOf would have met them walking the whole. */
function unionOf(parts: readonly References[]): References {
  const clusters = new Set<string>();
  const endpoints = new Set<string>();
  const secrets = new Set<string>();
  const routeConfigs = new Set<string>();
  for (const r of parts) {
    if (r === NO_REFS) continue;
    for (const n of r.clusters) clusters.add(n);
    for (const n of r.endpoints) endpoints.add(n);
    for (const n of r.secrets) secrets.add(n);
    for (const n of r.routeConfigs) routeConfigs.add(n);
  }
  return referencesFrom(clusters, endpoints, secrets, routeConfigs);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

// Subtrees that never name a cluster, secret or route configuration: route
// metadata (a Struct, possibly large) and HTTP route matchers.
const SKIP_KEYS = new Set(['metadata', 'match']);

function walk(v: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(v)) {
    for (const item of v) if (typeof item === 'object' && item !== null) walk(item, visit);
  } else if (isObject(v)) {
    for (const k in v) {
      if (SKIP_KEYS.has(k)) continue;
      const child = v[k];
      visit(k, child);
      if (typeof child === 'object' && child !== null) walk(child, visit);
    }
  }
}
