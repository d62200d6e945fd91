// The suite's status helpers (utils/kubernetes/helpers.go) as pure checks on
// translate()'s statuses. Each returns the list of mismatches, worded like
// the suite's log lines; an empty list means the helper would stop waiting.
import type { KubeObject } from '@switchyard/api';
import type { ObjectStatus } from '../../src/index.js';
import { CONTROLLER_NAME } from '../../src/index.js';
import type { ExpectedCondition, NN, RouteKind, StatusStep } from './types.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  observedGeneration?: number;
}
interface ParentRef {
  group?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  sectionName?: string;
  port?: number;
}
interface RouteParentStatus {
  parentRef?: ParentRef;
  controllerName?: string;
  conditions?: Condition[];
}
interface ListenerStatus {
  name?: string;
  supportedKinds?: Array<{ group?: string; kind?: string }>;
  attachedRoutes?: number;
  conditions?: Condition[];
}

export interface StatusView {
  status(kind: string, nn: NN): Record<string, unknown> | undefined;
  object(kind: string, nn: NN): KubeObject | undefined;
  objects(kind: string): readonly KubeObject[];
}

export function statusView(objects: readonly KubeObject[], statuses: readonly ObjectStatus[]): StatusView {
  const key = (kind: string, ns: string | undefined, name: string) => `${kind}/${ns ? `${ns}/` : ''}${name}`;
  const byKey = new Map(statuses.map((s) => [key(s.kind, s.namespace, s.name), s.status as Record<string, unknown>]));
  const objs = new Map(objects.map((o) => [key(o.kind, o.metadata.namespace, o.metadata.name), o]));
  return {
    status: (kind, nn) => byKey.get(`${kind}/${nn}`),
    object: (kind, nn) => objs.get(`${kind}/${nn}`),
    objects: (kind) => objects.filter((o) => o.kind === kind),
  };
}

function split(nn: NN): { namespace: string; name: string } {
  const i = nn.indexOf('/');
  return { namespace: nn.slice(0, i), name: nn.slice(i + 1) };
}

function conditionsOf(x: unknown): Condition[] {
  const c = (x as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

/** findConditionInList: type, and status/reason unless left open. */
function hasCondition(conditions: readonly Condition[], e: ExpectedCondition): boolean {
  return conditions.some((c) => c.type === e.type && (e.status === undefined || c.status === e.status) && (e.reason === undefined || c.reason === e.reason));
}

function describe(conditions: readonly Condition[]): string {
  return `[${conditions.map((c) => `${c.type}=${c.status}/${c.reason}`).join(', ')}]`;
}

function missing(where: string, conditions: readonly Condition[], expected: readonly ExpectedCondition[]): string[] {
  return expected
    .filter((e) => !hasCondition(conditions, e))
    .map((e) => `${where}: expected ${e.type}=${e.status ?? '*'}/${e.reason ?? '*'}, have ${describe(conditions)}`);
}

/** ConditionsHaveLatestObservedGeneration. */
function stale(where: string, obj: KubeObject | undefined, conditions: readonly Condition[]): string[] {
  const gen = obj?.metadata.generation ?? 0;
  const bad = conditions.filter((c) => c.observedGeneration !== gen);
  return bad.length === 0 ? [] : [`${where}: conditions not at observedGeneration ${gen}: ${bad.map((c) => `${c.type} (${c.observedGeneration})`).join(', ')}`];
}

function routeParents(view: StatusView, kind: RouteKind, route: NN): { problems: string[]; parents: RouteParentStatus[] } {
  const st = view.status(kind, route);
  if (!st) return { problems: [`${kind} ${route}: no status`], parents: [] };
  const parents = Array.isArray(st.parents) ? (st.parents as RouteParentStatus[]) : [];
  const obj = view.object(kind, route);
  const problems = parents.flatMap((p) => stale(`${kind} ${route} parent ${p.parentRef?.name}`, obj, p.conditions ?? []));
  return { problems, parents };
}

/** parentsForRouteMatch for one expected parent (sectionName and port are not compared, as in the suite). */
function parentMatches(p: RouteParentStatus, gateway: NN, routeNamespace: string, conditions: readonly ExpectedCondition[]): boolean {
  const gw = split(gateway);
  // The API server defaults group and kind in status parentRefs (CRD defaults), so absent means Gateway.
  const ref = { group: GATEWAY_GROUP, kind: 'Gateway', ...(p.parentRef ?? {}) };
  if (p.controllerName !== CONTROLLER_NAME) return false;
  if (ref.group !== GATEWAY_GROUP || ref.kind !== 'Gateway' || ref.name !== gw.name) return false;
  if (ref.namespace !== gw.namespace && (routeNamespace !== gw.namespace || ref.namespace !== undefined)) return false;
  return conditions.every((c) => hasCondition(p.conditions ?? [], c));
}

function gatewayStatus(view: StatusView, gateway: NN): { problems: string[]; status: Record<string, unknown> | undefined } {
  const st = view.status('Gateway', gateway);
  if (!st) return { problems: [`Gateway ${gateway}: no status`], status: undefined };
  return { problems: stale(`Gateway ${gateway}`, view.object('Gateway', gateway), conditionsOf(st)), status: st };
}

function listenersOf(st: Record<string, unknown> | undefined): ListenerStatus[] {
  return Array.isArray(st?.listeners) ? (st.listeners as ListenerStatus[]) : [];
}

const READY: readonly ExpectedCondition[] = [
  { type: 'ResolvedRefs', status: 'True' },
  { type: 'Accepted', status: 'True' },
  { type: 'Programmed', status: 'True' },
];

export function checkStatus(view: StatusView, step: StatusStep): string[] {
  switch (step.kind) {
    case 'accepted': {
      const kind = step.routeKind ?? 'HTTPRoute';
      const gw = gatewayStatus(view, step.gateway);
      const problems = [...gw.problems];
      for (const route of step.routes) {
        const rp = routeParents(view, kind, route);
        problems.push(...rp.problems);
        const routeNs = split(route).namespace;
        if (!rp.parents.some((p) => parentMatches(p, step.gateway, routeNs, [{ type: 'Accepted', status: 'True', reason: 'Accepted' }]))) {
          problems.push(`${kind} ${route}: no parent ${step.gateway} with Accepted=True/Accepted; parents: ${JSON.stringify(rp.parents)}`);
        }
      }
      // GatewayListenersMustHaveConditions is called without listener names here: every listener must be ready.
      for (const l of listenersOf(gw.status)) problems.push(...missing(`Gateway ${step.gateway} listener ${l.name}`, l.conditions ?? [], READY));
      if (gw.status && listenersOf(gw.status).length === 0) problems.push(`Gateway ${step.gateway}: no listener status`);
      return problems;
    }
    case 'route-condition': {
      const kind = step.routeKind ?? 'HTTPRoute';
      const rp = routeParents(view, kind, step.route);
      const gw = split(step.gateway);
      const found = rp.parents.some(
        (p) =>
          p.parentRef?.name === gw.name &&
          (p.parentRef.namespace === undefined || p.parentRef.namespace === gw.namespace) &&
          hasCondition(p.conditions ?? [], step.condition),
      );
      return [
        ...rp.problems,
        ...(found
          ? []
          : [
              `${kind} ${step.route}: parent ${step.gateway} lacks ${step.condition.type}=${step.condition.status ?? '*'}/${step.condition.reason ?? '*'}; parents: ${JSON.stringify(rp.parents)}`,
            ]),
      ];
    }
    case 'route-parents': {
      const kind = step.routeKind ?? 'HTTPRoute';
      const rp = routeParents(view, kind, step.route);
      const routeNs = step.namespaceRequired ? '' : split(step.route).namespace;
      const problems = [...rp.problems];
      for (const e of step.parents) {
        if (!rp.parents.some((p) => parentMatches(p, e.gateway, routeNs, e.conditions))) {
          problems.push(
            `${kind} ${step.route}: no parent ${e.gateway} with ${e.conditions.map((c) => `${c.type}=${c.status ?? '*'}/${c.reason ?? '*'}`).join(', ')}; parents: ${JSON.stringify(rp.parents)}`,
          );
        }
      }
      return problems;
    }
    case 'route-no-accepted-parents': {
      const kind = step.routeKind ?? 'HTTPRoute';
      const rp = routeParents(view, kind, step.route);
      if (rp.parents.length === 0) return rp.problems;
      if (rp.parents.length > 1) return [...rp.problems, `${kind} ${step.route}: expected at most one parent, have ${rp.parents.length}`];
      return [...rp.problems, ...missing(`${kind} ${step.route} parent`, rp.parents[0]?.conditions ?? [], [{ type: 'Accepted', status: 'False' }])];
    }
    case 'gateway-listeners': {
      const gw = gatewayStatus(view, step.gateway);
      const actual = listenersOf(gw.status);
      const problems = [...gw.problems];
      if (actual.length !== step.listeners.length)
        problems.push(`Gateway ${step.gateway}: expected ${step.listeners.length} listener statuses, have ${actual.length}`);
      for (const e of step.listeners) {
        const a = actual.find((l) => l.name === e.name);
        if (!a) {
          problems.push(`Gateway ${step.gateway}: no status for listener ${e.name}`);
          continue;
        }
        const kinds = a.supportedKinds ?? [];
        if (e.supportedKinds.length === 0 && kinds.length !== 0) problems.push(`listener ${e.name}: expected no supportedKinds, have ${JSON.stringify(kinds)}`);
        for (const k of e.supportedKinds) {
          if (!kinds.some((x) => (x.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && x.kind === k))
            problems.push(`listener ${e.name}: supportedKinds lacks ${k}: ${JSON.stringify(kinds)}`);
        }
        if (a.attachedRoutes !== e.attachedRoutes) problems.push(`listener ${e.name}: expected attachedRoutes ${e.attachedRoutes}, have ${a.attachedRoutes}`);
        problems.push(...missing(`listener ${e.name}`, a.conditions ?? [], e.conditions));
      }
      return problems;
    }
    case 'gateway-condition': {
      const gw = gatewayStatus(view, step.gateway);
      return [...gw.problems, ...missing(`Gateway ${step.gateway}`, conditionsOf(gw.status), [step.condition])];
    }
    case 'listener-conditions': {
      const gw = gatewayStatus(view, step.gateway);
      const listeners = listenersOf(gw.status);
      const problems: string[] = [];
      for (const name of step.listeners ?? [])
        if (!listeners.some((l) => l.name === name)) problems.push(`Gateway ${step.gateway}: no status for listener ${name}`);
      for (const l of listeners) {
        if (step.listeners && !step.listeners.includes(l.name ?? '')) continue;
        problems.push(...missing(`Gateway ${step.gateway} listener ${l.name}`, l.conditions ?? [], step.conditions));
      }
      return problems;
    }
    case 'gateway-zero-routes': {
      const gw = gatewayStatus(view, step.gateway);
      const listeners = listenersOf(gw.status);
      if (listeners.length === 0 || (listeners.length === 1 && listeners[0]?.attachedRoutes === 0)) return gw.problems;
      return [...gw.problems, `Gateway ${step.gateway}: expected zero routes, have ${JSON.stringify(listeners.map((l) => [l.name, l.attachedRoutes]))}`];
    }
    case 'namespace-ready':
      return namespacesReady(view, step.namespaces);
    case 'gatewayclass-condition': {
      const st = view.status('GatewayClass', step.gatewayClass);
      if (!st) return [`GatewayClass ${step.gatewayClass}: no status`];
      return [
        ...stale(`GatewayClass ${step.gatewayClass}`, view.object('GatewayClass', step.gatewayClass), conditionsOf(st)),
        ...missing(`GatewayClass ${step.gatewayClass}`, conditionsOf(st), [step.condition]),
      ];
    }
  }
}

/** NamespacesMustBeReady, for the Gateways: every Gateway of the namespaces is Accepted and Programmed. */
export function namespacesReady(view: StatusView, namespaces: readonly string[]): string[] {
  const problems: string[] = [];
  for (const gw of view.objects('Gateway')) {
    if (!namespaces.includes(gw.metadata.namespace ?? '')) continue;
    if (gw.metadata.annotations?.['gateway-api/skip-this-for-readiness'] === 'true') continue;
    const nn = `${gw.metadata.namespace}/${gw.metadata.name}`;
    const g = gatewayStatus(view, nn);
    problems.push(
      ...g.problems,
      ...missing(`Gateway ${nn}`, conditionsOf(g.status), [
        { type: 'Accepted', status: 'True' },
        { type: 'Programmed', status: 'True' },
      ]),
    );
  }
  return problems;
}

/** status.supportedFeatures of the GatewayClass, as names (v1.6 lists objects with a name). */
export function supportedFeatures(view: StatusView, gatewayClass: string): string[] {
  const sf = view.status('GatewayClass', gatewayClass)?.supportedFeatures;
  if (!Array.isArray(sf)) return [];
  return sf.map((f: unknown) => (typeof f === 'string' ? f : (f as { name?: unknown }).name)).filter((s): s is string => typeof s === 'string' && s !== '');
}
