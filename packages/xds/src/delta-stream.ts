// Incremental ADS (DeltaAggregatedResources): responses carry only added or
// changed resources, each with its own version, and the names removed. See
// ads-stream.ts for what the two variants share.
import type { ResourceTypeUrl } from '@switchyard/protos';
import { AdsStream } from './ads-stream.js';
import { Desired, everyKey, sameKeys, syncMode } from './desired.js';
import type { DeltaRequest } from './discovery-request.js';
import { LISTENER_OR_ROUTE } from './make-before-break.js';
import type { TypeState } from './type-state.js';
import { isEncoded, type EncodedResource, type Versioned } from './encoded-snapshot.js';
import { encodeDeltaDiscoveryResponse } from './wire.js';

/** Incremental (delta) xDS: only added or changed resources, and removed_resources. */
export class DeltaStream extends AdsStream {
  readonly mode = 'delta' as const;

  onRequest(req: DeltaRequest): void {
    if (!this.knownType(req.typeUrl)) return;
    const t = req.typeUrl;
    const st = this.state(t);
    const f = st.inFlight;
    if (req.responseNonce !== '' && f && req.responseNonce === f.nonce) {
      st.inFlight = undefined;
      if (req.errorDetail) {
        // The client keeps what it had before this response; removals are
        // taken as applied. Rejected versions are not re-sent until they change.
        st.current = st.accepted.clone();
        for (const n of f.removed) st.current.delete(n);
        st.accepted = st.current.clone();
        for (const [n, v] of f.sent) st.rejected.set(n, v.version);
        st.syncedVersion = undefined;
        this.nack(t, f, req.errorDetail.message);
      } else {
        // One response per type is in flight, so the client now holds exactly `current`.
        st.accepted = st.current.clone();
        this.ack(t);
      }
    }
    // Subscription changes ride on every request, ACK or not, and are never repeated.
    if (!st.subscribed) {
      st.subscribed = true;
      if (req.subscribe.length === 0) st.wildcard = st.legacyWildcard = true;
      const snapshotSet = this.ctx.cache.snapshot(this.ctx.fleet)?.types.get(t);
      // A client that reports what it holds is reconnecting, already warm: it
      // waits for no first answer, so none is owed when nothing changed.
      if (Object.keys(req.initialResourceVersions).length > 0) st.answered = true;
      for (const [name, version] of Object.entries(req.initialResourceVersions)) {
        // Reconnect: what the client already has. Keep our encoded copy when it
        // is the same version, so references (make before break) stay known.
        const ours = snapshotSet?.resources.get(name);
        const v: Versioned = ours && ours.version === version ? ours : { name, version };
        st.accepted.set(name, v);
        st.current.set(name, v);
      }
    }
    // Most requests are plain ACKs: copy the subscription only when it changes.
    if (req.subscribe.length > 0 || req.unsubscribe.length > 0) this.updateSubscription(st, req.subscribe, req.unsubscribe);
    this.pump();
  }

  private updateSubscription(st: TypeState, subscribe: readonly string[], unsubscribe: readonly string[]): void {
    // st.names is this stream's own set: changed in place (delta requests
    // carry only the differences, so this costs what they carry).
    const names = st.names;
    const wasWildcard = st.wildcard;
    let droppedWildcard = false;
    const added: string[] = [];
    const dropped: string[] = [];
    for (const n of subscribe) {
      if (n === '*') st.wildcard = true;
      else if (!names.has(n)) {
        names.add(n);
        added.push(n);
      }
    }
    for (const n of unsubscribe) {
      if (n === '*') {
        droppedWildcard ||= st.wildcard;
        st.wildcard = st.legacyWildcard = false;
      } else if (names.delete(n)) {
        dropped.push(n);
        st.toldAbsent.delete(n);
      }
    }
    if (st.wildcard !== wasWildcard)
      st.syncedVersion = undefined; // start over
    else {
      // Still in step for the names it kept: look only at the new ones.
      for (const n of added) st.added.add(n);
      if (dropped.length > 0) st.exact = false;
    }
    // The client forgets what it no longer subscribes to; it needs no removal.
    if (st.wildcard) return;
    const forget = droppedWildcard ? [...new Set([...st.current.keys(), ...st.accepted.keys()])].filter((n) => !names.has(n)) : dropped;
    for (const n of forget) {
      st.current.delete(n);
      st.accepted.delete(n);
      st.added.delete(n);
    }
  }

  protected wasRejected(st: TypeState, r: Versioned): boolean {
    return st.rejected.get(r.name) === r.version;
  }

  protected sendType(t: ResourceTypeUrl, st: TypeState, d: Desired, held: (r: EncodedResource) => boolean): void {
    const mode = syncMode(st, d.typeSet);
    const retainedSame = sameKeys(st.retained, d.retained);
    if (mode === 'same' && retainedSame && st.added.size === 0) return;
    // The names to look at: all of them, or only those that changed since
    // the set the client is in step with (and those no longer retained).
    let candidates: Iterable<string>;
    if (mode === 'full') {
      const all = new Set<string>(st.current.keys());
      for (const [n] of d.entries()) all.add(n);
      for (const n of st.names) all.add(n);
      candidates = all;
    } else {
      const some = new Set<string>();
      if (mode === 'incremental') {
        for (const n of d.typeSet.base!.changed) some.add(n);
        for (const n of d.typeSet.base!.removed) some.add(n);
      }
      if (!retainedSame) for (const n of st.retained.keys()) if (!d.retained.has(n)) some.add(n);
      for (const n of st.added) some.add(n);
      candidates = some;
    }
    const updates: EncodedResource[] = [];
    const removed: string[] = [];
    let complete = true;
    // Will the client hold exactly the snapshot's set of this type? Then its
    // state can share the snapshot's map (see HeldResources).
    let exact: boolean;
    if (d.retained.size > 0) exact = false;
    else if (st.wildcard) exact = true;
    else if (mode === 'full') exact = everyKey(d.typeSet.resources, (n) => st.names.has(n));
    else exact = st.exact && (mode === 'same' || d.typeSet.base!.changed.every((n) => st.names.has(n)));
    for (const name of candidates) {
      const r = d.get(name);
      const cur = st.current.get(name);
      if (r) {
        if (cur?.version === r.version) {
          if (cur !== r) st.current.set(name, r); // same content: share the snapshot's object
          continue;
        }
        if (!isEncoded(r)) continue; // kept from the client's own report: it has it
        if (st.rejected.get(name) === r.version) {
          exact = false; // rejected: wait for a change
          continue;
        }
        if (LISTENER_OR_ROUTE.has(t) && held(r)) {
          complete = false;
          continue;
        }
        updates.push(r);
      } else if (cur) {
        removed.push(name);
      } else if (st.names.has(name) && !st.toldAbsent.has(name)) {
        // A named subscription to a resource that does not exist: say so once
        // (xDS: the incremental protocol signals absence through removed_resources).
        removed.push(name);
        st.toldAbsent.add(name);
      }
    }
    st.added.clear();
    if (complete) {
      st.syncedVersion = d.typeSet.version;
      st.retained = d.retained;
    } else {
      st.syncedVersion = undefined;
    }
    st.exact = complete && exact;
    // A wildcard subscriber's first request is answered even when the type
    // has no resources: Envoy's initial fetch (LDS/CDS warming) waits for
    // that answer, and an empty set is one.
    const firstWildcardAnswer = st.wildcard && !st.answered && complete;
    if (updates.length === 0 && removed.length === 0 && !firstWildcardAnswer) {
      // In step with the snapshot: share its map instead of holding a copy.
      if (complete && exact) st.current.reset(d.typeSet.resources);
      return;
    }
    st.answered = true;
    for (const r of updates) {
      st.toldAbsent.delete(r.name);
      st.rejected.delete(r.name);
    }
    const snapshotVersion = this.ctx.cache.snapshot(this.ctx.fleet)?.version ?? '';
    const key = `delta\n${t}\n${updates.map((r) => `${r.name}\u0000${r.version}`).join('\u0001')}\n${removed.join('\u0001')}`;
    const { buf: response, nonce } = this.response(key, (n) =>
      encodeDeltaDiscoveryResponse({
        systemVersionInfo: snapshotVersion,
        resources: updates.map((r) => r.delta),
        typeUrl: t,
        removedResources: removed,
        nonce: n,
        controlPlane: this.ctx.controlPlane,
      }),
    );
    const sent = new Map<string, Versioned>(updates.map((r) => [r.name, r]));
    st.inFlight = { nonce, version: snapshotVersion, sent, removed };
    for (const r of updates) st.current.set(r.name, r);
    for (const n of removed) st.current.delete(n);
    if (complete && exact) st.current.reset(d.typeSet.resources);
    this.send(t, response, updates.length);
  }
}
