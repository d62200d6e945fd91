// Request and response header changes as Envoy's HeaderParser applies them:
// per level, removals first, then additions in order; levels from the most
// specific (weighted cluster, route) to the least (virtual host, route
// table), so the more general level has the last word — unless the route
// table sets most_specific_header_mutations_wins, which reverses the levels
// above the weighted cluster.
import type { HeaderValueOption } from '@switchyard/protos/generated/envoy/config/core/v3/HeaderValueOption.js';
import type { HeaderAppendAction, HeaderChange, HeaderLevel, HeaderList } from './types.js';

export interface HeaderOps {
  readonly request_headers_to_add?: readonly HeaderValueOption[] | undefined;
  readonly request_headers_to_remove?: readonly string[] | undefined;
  readonly response_headers_to_add?: readonly HeaderValueOption[] | undefined;
  readonly response_headers_to_remove?: readonly string[] | undefined;
}

const APPEND_ACTIONS: readonly HeaderAppendAction[] = ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'];

function appendActionOf(o: HeaderValueOption): HeaderAppendAction {
  // The deprecated `append` flag wins when set: true appends, false overwrites.
  if (o.append !== undefined && o.append !== null) return o.append.value === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD';
  const a = o.append_action;
  if (typeof a === 'number') return APPEND_ACTIONS[a] ?? 'APPEND_IF_EXISTS_OR_ADD';
  return a ?? 'APPEND_IF_EXISTS_OR_ADD';
}

function changesOf(adds: readonly HeaderValueOption[] | undefined, removes: readonly string[] | undefined, level: HeaderLevel): HeaderChange[] {
  const out: HeaderChange[] = [];
  for (const name of removes ?? []) out.push({ op: 'remove', name: name.toLowerCase(), level });
  for (const o of adds ?? []) {
    const value = o.header?.value ?? (typeof o.header?.raw_value === 'string' ? o.header.raw_value : '');
    out.push({
      op: 'add',
      name: (o.header?.key ?? '').toLowerCase(),
      value,
      appendAction: appendActionOf(o),
      keepEmptyValue: o.keep_empty_value === true,
      level,
    });
  }
  return out;
}

export interface LeveledOps {
  readonly level: HeaderLevel;
  readonly ops: HeaderOps | null | undefined;
}

/**
 * The request and response header changes in the order Envoy applies them.
 * `levels` lists the levels from most to least specific.
 */
export function headerChanges(levels: readonly LeveledOps[], mostSpecificWins: boolean): { request: HeaderChange[]; response: HeaderChange[] } {
  const clusterLevel = levels.filter((l) => l.level === 'weighted_cluster');
  let rest = levels.filter((l) => l.level !== 'weighted_cluster');
  if (mostSpecificWins) rest = [...rest].reverse();
  const ordered = [...clusterLevel, ...rest];
  return {
    request: ordered.flatMap((l) => changesOf(l.ops?.request_headers_to_add, l.ops?.request_headers_to_remove, l.level)),
    response: ordered.flatMap((l) => changesOf(l.ops?.response_headers_to_add, l.ops?.response_headers_to_remove, l.level)),
  };
}

/** Applies changes to a header list (request headers before they go upstream, or a backend's response headers). */
export function applyHeaderChanges(headers: HeaderList, changes: readonly HeaderChange[]): Array<[string, string]> {
  let out: Array<[string, string]> = headers.map(([n, v]) => [n.toLowerCase(), v]);
  // Within one level, all removals happen before the additions; changes arrive grouped that way.
  for (const c of changes) {
    if (c.op === 'remove') {
      out = out.filter(([n]) => n !== c.name);
      continue;
    }
    if (c.value === '' && !c.keepEmptyValue) continue;
    const present = out.some(([n]) => n === c.name);
    switch (c.appendAction) {
      case 'APPEND_IF_EXISTS_OR_ADD':
        out.push([c.name, c.value]);
        break;
      case 'ADD_IF_ABSENT':
        if (!present) out.push([c.name, c.value]);
        break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD':
        out = out.filter(([n]) => n !== c.name);
        out.push([c.name, c.value]);
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (present) {
          out = out.filter(([n]) => n !== c.name);
          out.push([c.name, c.value]);
        }
        break;
    }
  }
  return out;
}

/** The value of a header in a list, repeated values joined with ',' as a server would read them. */
export function headerListValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  const vs = headers.filter(([n]) => n === lower).map(([, v]) => v);
  return vs.length === 0 ? undefined : vs.join(',');
}
