// Writes computed statuses to the API server: only what differs from what the
// server holds, only for objects Switchyard owns (or only Switchyard's own
// entries of shared lists), with optimistic concurrency and re-read on 409.
import type { Logger } from 'pino';
import { GATEWAY_GROUP, GATEWAY_X_GROUP, SWITCHYARD_GROUP, groupOf, type KubeObject, type Snapshot } from '@switchyard/api';
import { OWN_CONDITION_TYPES, type ObjectStatus } from '@switchyard/translator';
import { isConflict, isNotFound, type KubeClient } from './rest.js';
import type { Discovery } from './discovery.js';
import type { EventRecorder } from './events.js';

export interface StatusWriterMetrics {
  statusWrite(kind: string, result: 'written' | 'conflict' | 'error'): void;
}

/** An entry of a shared status list (route parents, policy ancestors), tagged with the controller that wrote it. */
interface ControllerEntry {
  controllerName?: string;
}

type StatusRecord = Record<string, unknown>;

/** Lists in which several controllers each keep their own entries. */
const SHARED_LISTS = ['parents', 'ancestors'] as const;

function isRecord(v: unknown): v is StatusRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface TypedCondition {
  type?: unknown;
}

/**
 * A conditions list to write: the server's list with ours merged in. A
 * condition of a type Switchyard is not responsible for (another
 * controller's, e.g. `special.io/SomeField`) stays as it is and where it is
 * (Gateway API: implementations "MUST NOT remove or reorder Conditions that
 * they are not directly responsible for"); ours replace theirs of the same
 * type in place, ours no longer computed go, new ones are appended.
 */
export function mergeConditions(current: unknown, computed: unknown): unknown {
  if (!Array.isArray(computed) || !Array.isArray(current)) return computed;
  const byType = new Map<unknown, TypedCondition>((computed as TypedCondition[]).filter(isRecord).map((c) => [c.type, c]));
  const ours = (t: unknown) => byType.has(t) || (typeof t === 'string' && OWN_CONDITION_TYPES.has(t));
  const out: unknown[] = [];
  const placed = new Set<unknown>();
  for (const c of current as unknown[]) {
    const t = isRecord(c) ? c.type : undefined;
    if (!ours(t)) out.push(c);
    else if (byType.has(t) && !placed.has(t)) {
      out.push(byType.get(t));
      placed.add(t);
    }
  }
  for (const c of computed as unknown[]) if (!isRecord(c) || !placed.has(c.type)) out.push(c);
  return out;
}

/** status.listeners (Gateway, ListenerSet): each listener's conditions merged with the server's listener of the same name. */
function mergeListeners(current: unknown, computed: unknown): unknown {
  if (!Array.isArray(computed) || !Array.isArray(current)) return computed;
  const prev = new Map<unknown, StatusRecord>((current as unknown[]).filter(isRecord).map((l) => [l.name, l]));
  return (computed as unknown[]).map((l) => {
    const p = isRecord(l) ? prev.get(l.name) : undefined;
    return isRecord(l) && p && 'conditions' in l ? { ...l, conditions: mergeConditions(p.conditions, l.conditions) } : l;
  });
}

/**
 * The status to write: for shared lists, the server's entries of other
 * controllers are kept and ours replaced by the computed ones; conditions
 * (of the object and of each listener) keep the types other controllers
 * own; anything else is wholly ours.
 */
export function mergeStatus(current: unknown, computed: unknown, controllerName: string): unknown {
  if (!isRecord(computed)) return computed;
  const out: StatusRecord = { ...computed };
  const cur = isRecord(current) ? current : {};
  if ('conditions' in computed) out.conditions = mergeConditions(cur.conditions, computed.conditions);
  if ('listeners' in computed) out.listeners = mergeListeners(cur.listeners, computed.listeners);
  for (const list of SHARED_LISTS) {
    if (!(list in computed) && !(list in cur)) continue;
    const others = ((cur[list] as ControllerEntry[] | undefined) ?? []).filter((e) => e.controllerName !== controllerName);
    const ours = ((computed[list] as ControllerEntry[] | undefined) ?? []).filter((e) => e.controllerName === controllerName);
    out[list] = [...others, ...ours];
  }
  return out;
}

/** Canonical JSON for comparison: sorted keys, conditions sorted by type, lastTransitionTime ignored. */
export function canonicalStatus(v: unknown): string {
  const norm = (x: unknown, key?: string): unknown => {
    if (Array.isArray(x)) {
      const items = x.map((i) => norm(i));
      if (key === 'conditions') items.sort((a, b) => String((a as StatusRecord).type).localeCompare(String((b as StatusRecord).type)));
      return items;
    }
    if (isRecord(x)) {
      const o: StatusRecord = {};
      for (const k of Object.keys(x).sort()) {
        if (k === 'lastTransitionTime') continue;
        const val = x[k];
        if (val === undefined || val === null) continue;
        o[k] = norm(val, k);
      }
      return o;
    }
    return x;
  };
  return JSON.stringify(norm(v ?? {}));
}

export function statusEqual(a: unknown, b: unknown): boolean {
  return canonicalStatus(a) === canonicalStatus(b);
}

/**
 * Whether Switchyard may write this object's status at all. Shared-list kinds
 * (routes, policies) are always writable because mergeStatus keeps other
 * controllers' entries; whole-status kinds only when they belong to one of
 * our GatewayClasses.
 */
export function ownsStatus(obj: KubeObject, snapshot: Snapshot, controllerName: string): boolean {
  const group = groupOf(obj.apiVersion);
  if (group === SWITCHYARD_GROUP) return true;
  // Experimental policies (XTelemetryPolicy): ancestors, merged per controllerName.
  if (group === GATEWAY_X_GROUP) return true;
  if (group !== GATEWAY_GROUP) return false;
  const classIsOurs = (className: string | undefined) =>
    !!className &&
    snapshot.get<KubeObject<{ controllerName?: string }>>(GATEWAY_GROUP, 'GatewayClass', undefined, className)?.spec?.controllerName === controllerName;
  switch (obj.kind) {
    case 'GatewayClass':
      return (obj.spec as { controllerName?: string } | undefined)?.controllerName === controllerName;
    case 'Gateway':
      return classIsOurs((obj.spec as { gatewayClassName?: string } | undefined)?.gatewayClassName);
    case 'ListenerSet': {
      const p = (obj.spec as { parentRef?: { name?: string; namespace?: string } } | undefined)?.parentRef;
      if (!p?.name) return false;
      const gw = snapshot.get<KubeObject<{ gatewayClassName?: string }>>(GATEWAY_GROUP, 'Gateway', p.namespace ?? obj.metadata.namespace, p.name);
      return classIsOurs(gw?.spec?.gatewayClassName);
    }
    default:
      return true; // routes and policies: merged per controllerName
  }
}

export class StatusWriter {
  constructor(
    private readonly client: KubeClient,
    private readonly discovery: Discovery,
    private readonly controllerName: string,
    private readonly log: Logger,
    private readonly metrics?: StatusWriterMetrics,
    private readonly events?: EventRecorder,
  ) {}

  /**
   * Writes every status that differs from the snapshot's copy of the object.
   * Returns how many objects were written. Errors are logged per object: one
   * failing object never stops the others.
   */
  async writeAll(statuses: readonly ObjectStatus[], snapshot: Snapshot): Promise<number> {
    let written = 0;
    for (const s of statuses) {
      try {
        if (await this.write(s, snapshot)) written++;
      } catch (e) {
        this.metrics?.statusWrite(s.kind, 'error');
        this.log.warn({ kind: s.kind, namespace: s.namespace, name: s.name, err: String(e) }, 'status write failed');
        const obj = snapshot.get(groupOf(s.apiVersion), s.kind, s.namespace, s.name);
        if (obj)
          void this.events?.record(obj, {
            type: 'Warning',
            reason: 'StatusWriteFailed',
            message: `could not write status: ${e instanceof Error ? e.message : String(e)}`,
          });
      }
    }
    return written;
  }

  private async write(s: ObjectStatus, snapshot: Snapshot): Promise<boolean> {
    const group = groupOf(s.apiVersion);
    const cached = snapshot.get(group, s.kind, s.namespace, s.name);
    if (!cached) return false; // deleted since; nothing to report on
    if (!ownsStatus(cached, snapshot, this.controllerName)) return false;
    let current: KubeObject = cached;
    for (let attempt = 0; attempt < 5; attempt++) {
      const next = mergeStatus(current.status, s.status, this.controllerName);
      if (statusEqual(current.status, next)) return false;
      const path = `${await this.discovery.objectPath(current)}/status`;
      try {
        // PUT of the whole object with its resourceVersion: exact (a merge
        // patch could not remove a key we no longer report) and optimistic
        // (a concurrent writer makes this fail with 409 instead of being
        // overwritten).
        await this.client.replace(path, { ...current, status: next });
        this.metrics?.statusWrite(s.kind, 'written');
        this.log.debug({ kind: s.kind, namespace: s.namespace, name: s.name }, 'status written');
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        if (!isConflict(e)) throw e;
        this.metrics?.statusWrite(s.kind, 'conflict');
        const fresh: KubeObject | undefined = await this.client.getOrUndefined(await this.discovery.objectPath(current));
        if (!fresh) return false;
        current = fresh;
      }
    }
    throw new Error(`status of ${s.kind} ${s.namespace ?? ''}/${s.name}: still conflicting after 5 attempts`);
  }
}
