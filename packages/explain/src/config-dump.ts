// Any Envoy's configuration as the model's input: Envoy's admin
// /config_dump (envoy.admin.v3.ConfigDump — what `egctl config envoy-proxy
// all` and `istioctl proxy-config all -o json` print too), or a plain list of
// typed xDS resources, in proto3 JSON (parsed from JSON or YAML). The result
// is the resources one Envoy holds, plus notes on what was chosen or skipped.
import { fromProto3Json, TypeUrl, type EnvoyResources } from '@switchyard/protos';

export interface ConfigDumpResources {
  readonly resources: EnvoyResources;
  /** Which listener states were used, what was skipped and why. */
  readonly notes: readonly string[];
}

/** The input is not a config dump or a resource list; the message says what was expected and what was found. */
export class ConfigDumpError extends Error {}

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';
const EXPECTED = 'an Envoy config dump ({"configs": [...]}, from /config_dump) or a list of xDS resources each with "@type"';

type Field = keyof EnvoyResources;
const FIELD_OF_TYPE: ReadonlyMap<string, Field> = new Map([
  [TypeUrl.Listener, 'listeners'],
  [TypeUrl.RouteConfiguration, 'routes'],
  [TypeUrl.Cluster, 'clusters'],
  [TypeUrl.ClusterLoadAssignment, 'endpoints'],
  [TypeUrl.Secret, 'secrets'],
]);

class Collector {
  readonly lists: { [K in Field]: Array<Record<string, unknown>> } = { listeners: [], routes: [], clusters: [], endpoints: [], secrets: [] };
  readonly notes: string[] = [];
  readonly unknownFields: string[] = [];
  /** Per resource type, each name's definition (JSON), so a repeat is noted only when it differs. */
  private readonly names = new Map<string, Map<string, string>>();

  /** Adds one resource (proto3 JSON) of a known type; the first of a name wins, as static before dynamic. */
  add(typeUrl: string, json: unknown, where: string): void {
    const field = FIELD_OF_TYPE.get(typeUrl);
    if (!field) return this.skip(typeUrl, where);
    let value: Record<string, unknown>;
    try {
      value = fromProto3Json(typeUrl, json, this.unknownFields);
    } catch (e) {
      throw new ConfigDumpError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const name = nameIn(field === 'endpoints' ? value.cluster_name : value.name, '');
    const seen = this.names.get(field) ?? new Map<string, string>();
    this.names.set(field, seen);
    const text = JSON.stringify(value);
    const first = seen.get(name);
    // A static cluster is listed both in the bootstrap and in the clusters dump; only a differing repeat is worth a note.
    if (first !== undefined && first !== text)
      this.notes.push(`${where}: a second, different ${typeName(typeUrl)} named ${JSON.stringify(name)}; the first is used`);
    if (first !== undefined) return;
    seen.set(name, text);
    this.lists[field].push(value);
  }

  skip(typeUrl: string, where: string): void {
    this.notes.push(`${where}: ${typeUrl || 'an entry without "@type"'} is not modelled; skipped`);
  }

  result(): ConfigDumpResources {
    const notes = [...this.notes];
    if (this.unknownFields.length) {
      const shown = [...new Set(this.unknownFields)].slice(0, 10);
      notes.push(`fields explain does not know (ignored; the outcome may differ): ${shown.join(', ')}${this.unknownFields.length > shown.length ? ', …' : ''}`);
    }
    return { resources: this.lists, notes };
  }
}

function typeName(typeUrl: string): string {
  return typeUrl.slice(typeUrl.lastIndexOf('.') + 1);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  return isObject(v) && typeof v['@type'] === 'string' ? v['@type'] : '';
}

/** A resource name as the dump spells it, or `absent` when it has none. */
function nameIn(v: unknown, absent: string | number): string {
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a dump is not validated: a name that is not a string (Envoy never writes one) is keyed and shown as its String, as before
  return String(v ?? absent);
}

/** The value under a key in either case style (proto3 JSON allows both). */
function get(o: Record<string, unknown>, jsonName: string): unknown {
  if (jsonName in o) return o[jsonName];
  return o[jsonName.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

function list(o: Record<string, unknown>, jsonName: string): Array<Record<string, unknown>> {
  const v = get(o, jsonName);
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** A resource given as an Any ({"@type": …, fields}); its type must be the expected one. */
function addAny(c: Collector, expected: string, value: unknown, where: string): void {
  if (!isObject(value)) return;
  const t = typeOf(value) || expected;
  if (t !== expected) return c.skip(t, where);
  c.add(t, value, where);
}

function readBootstrap(c: Collector, dump: Record<string, unknown>): void {
  const bootstrap = get(dump, 'bootstrap');
  if (!isObject(bootstrap)) return;
  const stat = get(bootstrap, 'staticResources');
  if (!isObject(stat)) return;
  list(stat, 'listeners').forEach((l, i) => c.add(TypeUrl.Listener, l, `bootstrap static_resources.listeners[${i}]`));
  list(stat, 'clusters').forEach((x, i) => c.add(TypeUrl.Cluster, x, `bootstrap static_resources.clusters[${i}]`));
  list(stat, 'secrets').forEach((x, i) => c.add(TypeUrl.Secret, x, `bootstrap static_resources.secrets[${i}]`));
}

function readListeners(c: Collector, dump: Record<string, unknown>): void {
  list(dump, 'staticListeners').forEach((l, i) => addAny(c, TypeUrl.Listener, get(l, 'listener'), `static_listeners[${i}]`));
  list(dump, 'dynamicListeners').forEach((l, i) => {
    const name = nameIn(get(l, 'name'), i);
    const active = get(l, 'activeState');
    const warming = get(l, 'warmingState');
    const stateListener = (s: unknown) => (isObject(s) ? get(s, 'listener') : undefined);
    if (stateListener(active) !== undefined) {
      addAny(c, TypeUrl.Listener, stateListener(active), `dynamic listener ${name} (active)`);
      if (stateListener(warming) !== undefined)
        c.notes.push(`listener ${name}: a warming version is pending; the active one is used (Envoy serves it until the warming one is ready)`);
    } else if (stateListener(warming) !== undefined) {
      addAny(c, TypeUrl.Listener, stateListener(warming), `dynamic listener ${name} (warming)`);
      c.notes.push(`listener ${name}: only a warming version exists; it is used (Envoy serves it once its clusters and routes arrive)`);
    } else if (get(l, 'errorState') !== undefined) {
      c.notes.push(`listener ${name}: rejected by Envoy (error_state); skipped`);
    }
  });
}

function readClusters(c: Collector, dump: Record<string, unknown>): void {
  list(dump, 'staticClusters').forEach((x, i) => addAny(c, TypeUrl.Cluster, get(x, 'cluster'), `static_clusters[${i}]`));
  list(dump, 'dynamicActiveClusters').forEach((x, i) => addAny(c, TypeUrl.Cluster, get(x, 'cluster'), `dynamic_active_clusters[${i}]`));
  list(dump, 'dynamicWarmingClusters').forEach((x, i) => {
    addAny(c, TypeUrl.Cluster, get(x, 'cluster'), `dynamic_warming_clusters[${i}]`);
    c.notes.push(
      `cluster ${nameIn((get(x, 'cluster') as Record<string, unknown> | undefined)?.name, i)} is warming (used where no active cluster has its name)`,
    );
  });
}

function readRoutes(c: Collector, dump: Record<string, unknown>): void {
  list(dump, 'staticRouteConfigs').forEach((x, i) => addAny(c, TypeUrl.RouteConfiguration, get(x, 'routeConfig'), `static_route_configs[${i}]`));
  list(dump, 'dynamicRouteConfigs').forEach((x, i) => addAny(c, TypeUrl.RouteConfiguration, get(x, 'routeConfig'), `dynamic_route_configs[${i}]`));
}

function readEndpoints(c: Collector, dump: Record<string, unknown>): void {
  list(dump, 'staticEndpointConfigs').forEach((x, i) => addAny(c, TypeUrl.ClusterLoadAssignment, get(x, 'endpointConfig'), `static_endpoint_configs[${i}]`));
  list(dump, 'dynamicEndpointConfigs').forEach((x, i) => addAny(c, TypeUrl.ClusterLoadAssignment, get(x, 'endpointConfig'), `dynamic_endpoint_configs[${i}]`));
}

function readSecrets(c: Collector, dump: Record<string, unknown>): void {
  list(dump, 'staticSecrets').forEach((x, i) => addAny(c, TypeUrl.Secret, get(x, 'secret'), `static_secrets[${i}]`));
  list(dump, 'dynamicActiveSecrets').forEach((x, i) => addAny(c, TypeUrl.Secret, get(x, 'secret'), `dynamic_active_secrets[${i}]`));
}

const READERS: ReadonlyMap<string, (c: Collector, dump: Record<string, unknown>) => void> = new Map([
  [`${ADMIN}BootstrapConfigDump`, readBootstrap],
  [`${ADMIN}ListenersConfigDump`, readListeners],
  [`${ADMIN}ClustersConfigDump`, readClusters],
  [`${ADMIN}RoutesConfigDump`, readRoutes],
  [`${ADMIN}EndpointsConfigDump`, readEndpoints],
  [`${ADMIN}SecretsConfigDump`, readSecrets],
]);

/**
 * The resources of a config dump or resource list (already parsed from JSON
 * or YAML). Throws ConfigDumpError, naming what was expected and what was
 * found, when the document is neither.
 */
export function resourcesFromConfigDump(doc: unknown): ConfigDumpResources {
  const c = new Collector();
  const items = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(get(doc, 'resources')) ? (get(doc, 'resources') as unknown[]) : undefined;
  if (items) {
    items.forEach((r, i) => {
      const t = typeOf(r);
      if (!t) throw new ConfigDumpError(`resource ${i}: expected an object with "@type" (a typed xDS resource), found ${describe(r)}`);
      c.add(t, r, `resource ${i}`);
    });
    return c.result();
  }
  if (!isObject(doc) || !Array.isArray(get(doc, 'configs'))) throw new ConfigDumpError(`expected ${EXPECTED}, found ${describe(doc)}`);
  (get(doc, 'configs') as unknown[]).forEach((config, i) => {
    const t = typeOf(config);
    const read = READERS.get(t);
    if (read) read(c, config as Record<string, unknown>);
    else c.skip(t, `configs[${i}]`);
  });
  return c.result();
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isObject(v)) {
    const keys = Object.keys(v);
    return keys.length
      ? `an object with ${keys
          .slice(0, 5)
          .map((k) => JSON.stringify(k))
          .join(', ')}${keys.length > 5 ? ', …' : ''}`
      : 'an empty object';
  }
  return v === null || v === undefined ? 'nothing' : `${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}
