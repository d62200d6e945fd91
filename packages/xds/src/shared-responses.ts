// Responses shared between the streams of a fleet: built once per snapshot
// and key, and sent as the same bytes to every stream that needs them (same
// type, same changes), so a thousand streams cost one encode and no
// per-stream copy. Dropped with the snapshot, and bounded, so streams in many
// different states cannot pin much memory.
import type { EncodedSnapshot } from './encoded-snapshot.js';

let lastNonce = 0;
/** Nonces are unique in the process, so one response can go to many streams. */
function newNonce(): string {
  return (++lastNonce).toString(36);
}

const SHARED_MAX_ENTRIES = 256;
const SHARED_MAX_BYTES = 64 * 1024 * 1024;
const SHARED_MAX_PER_STREAM = 10_000;
const sharedResponses = new WeakMap<EncodedSnapshot, { entries: Map<string, { buf: Buffer; nonce: string }>; bytes: number }>();

/** One stream's view of the shared responses: which of them it was sent since the snapshot last changed. */
export class SharedResponses {
  private sharedFor: EncodedSnapshot | undefined;
  private readonly sharedSent = new Set<string>();

  /**
   * A response for this stream under `snapshot`, shared with every other
   * stream of the fleet that asks with the same key. Its nonce is unique in
   * the process; a stream that needs the same response a second time (say
   * it unsubscribed and subscribed again) gets a fresh copy, so a nonce
   * names one response on a stream.
   */
  response(snapshot: EncodedSnapshot | undefined, key: string, build: (nonce: string) => Buffer): { buf: Buffer; nonce: string } {
    if (snapshot !== this.sharedFor) {
      this.sharedFor = snapshot;
      this.sharedSent.clear();
    }
    // A stream churning subscriptions under one snapshot stops sharing rather
    // than remembering ever more nonces.
    let shared = snapshot && this.sharedSent.size < SHARED_MAX_PER_STREAM ? sharedResponses.get(snapshot) : undefined;
    const hit = shared?.entries.get(key);
    if (hit && !this.sharedSent.has(hit.nonce)) {
      this.sharedSent.add(hit.nonce);
      return hit;
    }
    const nonce = newNonce();
    const out = { buf: build(nonce), nonce };
    if (snapshot && !hit && this.sharedSent.size < SHARED_MAX_PER_STREAM) {
      this.sharedSent.add(nonce);
      if (!shared) sharedResponses.set(snapshot, (shared = { entries: new Map(), bytes: 0 }));
      if (shared.entries.size < SHARED_MAX_ENTRIES && shared.bytes + out.buf.length <= SHARED_MAX_BYTES) {
        shared.entries.set(key, out);
        shared.bytes += out.buf.length;
      }
    }
    return out;
  }
}
