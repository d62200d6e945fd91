import { GATEWAY_GROUP, type ReferenceGrant } from '@switchyard/api';
import { cmp } from './report.js';

/**
 * ReferenceGrants, one per (name, target namespace), listing the objects
 * granted. The caller names the grant after what needs it, so separate
 * conversions (one class at a time) never produce two different grants of
 * the same name.
 */
export class GrantRegistry {
  private readonly grants = new Map<
    string,
    { name: string; ns: string; fromKinds: Set<string>; fromNs: string; toKind: string; names: Set<string>; users?: Set<string> }
  >();
  allow(name: string, fromKind: string, fromNs: string, toKind: string, toNs: string, toName: string, user?: string): void {
    const key = `${toNs}/${name}`;
    let g = this.grants.get(key);
    if (!g) this.grants.set(key, (g = { name, ns: toNs, fromKinds: new Set(), fromNs, toKind, names: new Set() }));
    g.fromKinds.add(fromKind);
    g.names.add(toName);
    if (user) (g.users ??= new Set()).add(user);
  }
  objects(): Array<{ object: ReferenceGrant; users?: Set<string> }> {
    return [...this.grants.values()].map((g) => ({
      object: {
        apiVersion: `${GATEWAY_GROUP}/v1`,
        kind: 'ReferenceGrant',
        metadata: { name: g.name, namespace: g.ns },
        spec: {
          from: [...g.fromKinds].sort(cmp).map((kind) => ({ group: GATEWAY_GROUP, kind, namespace: g.fromNs })),
          to: [...g.names].sort(cmp).map((name) => ({ group: '', kind: g.toKind, name })),
        },
      },
      ...(g.users ? { users: g.users } : {}),
    }));
  }
}
