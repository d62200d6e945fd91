// Reads an Envoy bootstrap the way Envoy does for what the stand-in needs:
// the node, the ADS stream (its mode and the static cluster it dials, with
// the TLS context and static secrets that cluster names), the static
// resources (the readiness listener and the admin cluster are served like
// any other), and the admin address.
import fs from 'node:fs';
import { parse } from 'yaml';
import type { EnvoyResources } from '@switchyard/protos';
import type { Bootstrap } from '@switchyard/protos/generated/envoy/config/bootstrap/v3/Bootstrap.js';
import type { Cluster } from '@switchyard/protos/generated/envoy/config/cluster/v3/Cluster.js';
import type { Secret } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/Secret.js';
import type { UpstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext.js';
import { dataSourceBytes } from './data-source.js';
import type { StandinArgs } from './args.js';

export type AdsMode = 'delta' | 'sotw';

export interface XdsTarget {
  readonly host: string;
  readonly port: number;
  readonly mode: AdsMode;
  /** mTLS towards the xDS server, from the xDS cluster's UpstreamTlsContext. */
  readonly tls?: { readonly caPem: string; readonly certPem?: string; readonly keyPem?: string; readonly serverName?: string };
}

export interface StandinBootstrap {
  readonly node: { readonly id: string; readonly cluster: string };
  readonly xds: XdsTarget;
  /** Listeners, clusters and secrets of static_resources, in the shape of the generated types. */
  readonly staticResources: EnvoyResources;
  readonly admin?: { readonly address: string; readonly port: number };
}

export class BootstrapError extends Error {}

export function readBootstrap(args: Pick<StandinArgs, 'configPath' | 'serviceNode' | 'serviceCluster'>): StandinBootstrap {
  let text: string;
  try {
    text = fs.readFileSync(args.configPath, 'utf8');
  } catch (e) {
    throw new BootstrapError(`${args.configPath}: ${(e as Error).message}`);
  }
  let doc: Bootstrap;
  try {
    doc = parse(text) as Bootstrap;
  } catch (e) {
    throw new BootstrapError(`${args.configPath}: not YAML: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object') throw new BootstrapError(`${args.configPath}: empty bootstrap`);
  return bootstrapOf(doc, args, args.configPath);
}

export function bootstrapOf(doc: Bootstrap, args: Pick<StandinArgs, 'serviceNode' | 'serviceCluster'>, where = 'bootstrap'): StandinBootstrap {
  const node = { id: args.serviceNode ?? doc.node?.id ?? '', cluster: args.serviceCluster ?? doc.node?.cluster ?? '' };
  const sr = doc.static_resources ?? {};
  const staticResources: EnvoyResources = {
    listeners: sr.listeners ?? [],
    routes: [],
    clusters: sr.clusters ?? [],
    endpoints: [],
    secrets: sr.secrets ?? [],
  };
  const ads = doc.dynamic_resources?.ads_config;
  if (!ads) throw new BootstrapError(`${where}: dynamic_resources.ads_config is missing (the stand-in only speaks ADS)`);
  const apiType = String(ads.api_type ?? '');
  const mode: AdsMode = apiType === 'DELTA_GRPC' || apiType === '5' ? 'delta' : apiType === 'GRPC' || apiType === '2' ? 'sotw' : (() => {
    throw new BootstrapError(`${where}: dynamic_resources.ads_config.api_type ${JSON.stringify(ads.api_type)}: only GRPC and DELTA_GRPC are served`);
  })();
  const clusterName = ads.grpc_services?.[0]?.envoy_grpc?.cluster_name;
  if (!clusterName) throw new BootstrapError(`${where}: dynamic_resources.ads_config.grpc_services[0].envoy_grpc.cluster_name is missing`);
  const cluster = staticResources.clusters.find((c) => c.name === clusterName);
  if (!cluster) throw new BootstrapError(`${where}: the xDS cluster ${JSON.stringify(clusterName)} is not in static_resources.clusters`);
  const sa = cluster.load_assignment?.endpoints?.[0]?.lb_endpoints?.[0]?.endpoint?.address?.socket_address;
  if (!sa?.address || !sa.port_value) throw new BootstrapError(`${where}: static_resources.clusters[${clusterName}].load_assignment has no socket address`);
  const tls = xdsTls(cluster, staticResources.secrets, where);
  const adminAddress = doc.admin?.address?.socket_address;
  return {
    node,
    xds: { host: sa.address, port: Number(sa.port_value), mode, ...(tls ? { tls } : {}) },
    staticResources,
    ...(adminAddress?.address ? { admin: { address: adminAddress.address, port: Number(adminAddress.port_value ?? 0) } } : {}),
  };
}

function xdsTls(cluster: Cluster, secrets: readonly Secret[], where: string): XdsTarget['tls'] {
  const tc = cluster.transport_socket?.typed_config as (UpstreamTlsContext & { '@type'?: string }) | undefined;
  if (!tc) return undefined;
  const common = tc.common_tls_context ?? {};
  const secret = (name: string | undefined): Secret | undefined => {
    const s = secrets.find((x) => x.name === name);
    if (name && !s) throw new BootstrapError(`${where}: the xDS cluster's TLS context names secret ${JSON.stringify(name)}, which static_resources.secrets lacks`);
    return s;
  };
  const certSecret = secret(common.tls_certificate_sds_secret_configs?.[0]?.name ?? undefined);
  const certificate = certSecret?.tls_certificate ?? common.tls_certificates?.[0];
  const vcName = common.validation_context_sds_secret_config?.name ?? common.combined_validation_context?.validation_context_sds_secret_config?.name ?? undefined;
  const validation = secret(vcName)?.validation_context ?? common.validation_context ?? common.combined_validation_context?.default_validation_context;
  const read = (what: string, ds: Parameters<typeof dataSourceBytes>[0]): string | undefined => {
    try {
      return dataSourceBytes(ds)?.toString('utf8');
    } catch (e) {
      throw new BootstrapError(`${where}: xDS ${what}: ${(e as Error).message}`);
    }
  };
  const caPem = read('trusted CA', validation?.trusted_ca);
  if (!caPem) throw new BootstrapError(`${where}: the xDS cluster uses TLS but names no trusted CA`);
  const certPem = read('client certificate', certificate?.certificate_chain);
  const keyPem = read('client key', certificate?.private_key);
  // Envoy checks the server certificate against the SANs the validation context lists.
  const sans = common.combined_validation_context?.default_validation_context?.match_typed_subject_alt_names ?? validation?.match_typed_subject_alt_names;
  const san = sans?.[0]?.matcher?.exact ?? tc.sni ?? undefined;
  return { caPem, ...(certPem ? { certPem } : {}), ...(keyPem ? { keyPem } : {}), ...(san ? { serverName: san } : {}) };
}
