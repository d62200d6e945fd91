// The document `switchyard translate` prints and `serve --from-dir` serves at
// /config: every fleet's resources in Envoy's proto3 JSON form (the form
// Envoy's own config_dump uses, each resource with its '@type'), plus the
// Gateway API statuses.
import { toProto3Json, TypeUrl, type EnvoyResources } from '@switchyard/protos';
import type { ObjectStatus, TranslateResult } from '@switchyard/translator';

export type Proto3Json = Record<string, unknown>;

export interface RenderedFleet {
  listeners: Proto3Json[];
  routes: Proto3Json[];
  clusters: Proto3Json[];
  endpoints: Proto3Json[];
  secrets: Proto3Json[];
}

export interface RenderedStatus {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  status: unknown;
}

export interface RenderedTranslation {
  fleets: Record<string, RenderedFleet>;
  statuses: RenderedStatus[];
}

/** One fleet's resources, in the order of the EnvoyResources fields. */
export function renderFleet(resources: EnvoyResources): RenderedFleet {
  return {
    listeners: resources.listeners.map((r) => toProto3Json(TypeUrl.Listener, r)),
    routes: resources.routes.map((r) => toProto3Json(TypeUrl.RouteConfiguration, r)),
    clusters: resources.clusters.map((r) => toProto3Json(TypeUrl.Cluster, r)),
    endpoints: resources.endpoints.map((r) => toProto3Json(TypeUrl.ClusterLoadAssignment, r)),
    secrets: resources.secrets.map((r) => toProto3Json(TypeUrl.Secret, r)),
  };
}

/** Fleets sorted by id, so the same input prints the same bytes. */
export function renderFleets(fleets: ReadonlyMap<string, EnvoyResources>): Record<string, RenderedFleet> {
  const out: Record<string, RenderedFleet> = {};
  for (const id of [...fleets.keys()].sort()) out[id] = renderFleet(fleets.get(id)!);
  return out;
}

export function renderStatus(s: ObjectStatus): RenderedStatus {
  return {
    apiVersion: s.apiVersion,
    kind: s.kind,
    ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
    name: s.name,
    status: s.status,
  };
}

export function renderTranslation(result: TranslateResult): RenderedTranslation {
  return { fleets: renderFleets(result.fleets), statuses: result.statuses.map(renderStatus) };
}
