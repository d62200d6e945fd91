// State-of-the-world ADS (StreamAggregatedResources): every response carries
// the complete set of a type the client subscribed to, with one version for
// the set. See ads-stream.ts for what the two variants share.
import type { ResourceTypeUrl } from '@switchyard/protos';
import { AdsStream } from './ads-stream.js';
import { Desired, sameKeys } from './desired.js';
import type { SotwRequest } from './discovery-request.js';
import { LISTENER_OR_ROUTE } from './make-before-break.js';
import type { TypeState } from './type-state.js';
import { isEncoded, setVersion, type EncodedResource, type TypeSet, type Versioned } from './encoded-snapshot.js';
import { HeldResources } from './held-resources.js';
import { encodeDiscoveryResponse } from './wire.js';

/** State of the world: complete sets for LDS/CDS, the subscribed names for the others. */
export class SotwStream extends AdsStream {
  readonly mode = 'sotw' as const;
  // The set version of a named subset is memoised per (TypeSet, names) so an
  // unchanged type costs nothing when another type changes.
  private readonly memo = new Map<ResourceTypeUrl, { typeSet: TypeSet; names: ReadonlySet<string>; map: ReadonlyMap<string, Versioned>; version: string }>();

  onRequest(req: SotwRequest): void {
    if (!this.knownType(req.typeUrl)) return;
    const t = req.typeUrl;
    const st = this.state(t);
    if (req.responseNonce !== '') {
      const f = st.inFlight;
      if (f && req.responseNonce === f.nonce) {
        st.inFlight = undefined;
        if (req.errorDetail) {
          st.current = st.accepted.clone();
          st.currentVersion = st.acceptedVersion;
          st.rejectedVersion = f.version;
          st.syncedVersion = undefined;
          this.nack(t, f, req.errorDetail.message);
        } else {
          st.accepted = st.current.clone();
          st.acceptedVersion = st.currentVersion;
          st.rejectedVersion = undefined;
          this.ack(t);
        }
      }
      // A request answering an older response (stale nonce) is not treated as
      // an ACK or NACK, and nothing is sent in answer to it while the newer
      // response is in flight; its resource names are still the client's
      // latest interest (requests arrive in order), so they are taken.
    }
    if (req.responseNonce === '' && !st.subscribed && req.versionInfo !== '') {
      st.claimedVersion = req.versionInfo;
    }
    const names = req.resourceNames;
    if (!st.subscribed) {
      st.subscribed = true;
      st.legacyWildcard = names.length === 0;
    } else if (names.length > 0) {
      st.legacyWildcard = false;
    }
    const wildcard = (st.legacyWildcard && names.length === 0) || names.includes('*');
    const explicit = names.filter((n) => n !== '*');
    if (wildcard !== st.wildcard || explicit.length !== st.names.size || explicit.some((n) => !st.names.has(n))) {
      st.wildcard = wildcard;
      st.names = new Set(explicit);
      st.syncedVersion = undefined;
    }
    this.pump();
  }

  protected wasRejected(st: TypeState): boolean {
    // The client rejected the last set of this type and nothing newer is on its way.
    return st.rejectedVersion !== undefined && !st.inFlight;
  }

  protected sendType(t: ResourceTypeUrl, st: TypeState, d: Desired, held: (r: EncodedResource) => boolean): void {
    if (st.syncedVersion === d.typeSet.version && sameKeys(st.retained, d.retained)) return;
    let map: ReadonlyMap<string, Versioned>;
    let version: string;
    if (d.whole) {
      map = d.typeSet.resources;
      version = d.typeSet.version;
    } else {
      const m = this.memo.get(t);
      if (m && d.retained.size === 0 && m.typeSet === d.typeSet && m.names === st.names && !st.wildcard) {
        map = m.map;
        version = m.version;
      } else {
        map = new Map(d.entries());
        version = setVersion(map.values());
        if (d.retained.size === 0 && !st.wildcard) this.memo.set(t, { typeSet: d.typeSet, names: st.names, map, version });
      }
    }
    if (st.claimedVersion !== undefined) {
      // Reconnect: the client already has this exact set; send nothing.
      if (st.claimedVersion === version) {
        st.accepted = new HeldResources(map);
        st.current = new HeldResources(map);
        st.acceptedVersion = st.currentVersion = version;
      }
      st.claimedVersion = undefined;
    }
    const settle = (): void => {
      st.syncedVersion = d.typeSet.version;
      st.retained = d.retained;
    };
    if (version === st.currentVersion || version === st.rejectedVersion) return settle();
    if (LISTENER_OR_ROUTE.has(t)) {
      for (const [name, r] of map) if (st.current.get(name)?.version !== r.version && isEncoded(r) && held(r)) return;
    }
    const resources: Buffer[] = [];
    for (const r of map.values()) if (isEncoded(r)) resources.push(r.any);
    // The set version names the content, so streams sending the same set share the bytes.
    const { buf: response, nonce } = this.response(`sotw\n${t}\n${version}`, (n) =>
      encodeDiscoveryResponse({ versionInfo: version, resources, typeUrl: t, nonce: n, controlPlane: this.ctx.controlPlane }),
    );
    st.inFlight = { nonce, version, sent: map, removed: [] };
    st.current = new HeldResources(map);
    st.currentVersion = version;
    settle();
    this.send(t, response, resources.length);
  }
}
