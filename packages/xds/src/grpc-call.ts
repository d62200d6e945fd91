// One gRPC call as the ADS server sees it, whatever carries it: messages in,
// framed messages out (written as given, never copied), a status at the end.
// The transport (grpc-http2.ts) implements it; ads-call.ts uses it.

/** gRPC status codes (the ones this server sends or tests read). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** One bidirectional-streaming call. */
export interface GrpcCall {
  /** The client's address, for logs. */
  readonly peer: string;
  /** The verified client certificate (DER) of an mTLS connection; undefined in plaintext. */
  readonly peerCertificate: Buffer | undefined;
  /**
   * Writes one message already framed as a gRPC message (wire.ts); the buffer
   * is handed to the transport as is, so one buffer may go to many calls.
   * `done` runs once the transport has taken the bytes (or the call ended).
   * False: the transport is full, wait for the handlers' drain().
   */
  write(frame: Buffer, done: () => void): boolean;
  /** Ends the call with a status (a no-op once ended). */
  end(code: GrpcStatusCode, message?: string): void;
}

/** What a method does with its call's events. */
export interface GrpcCallHandlers {
  /** One request message (unframed). */
  message(bytes: Buffer): void;
  /** The transport can take more after write() returned false. */
  drain(): void;
  /** The client finished sending (half-close); the call stays open until end(). */
  halfClose(): void;
  /** The call is over: ended by us, cancelled by the client, or its connection lost. Once. */
  closed(): void;
}

/** A bidirectional-streaming method: called once per call, before any of its events. */
export type GrpcMethod = (call: GrpcCall) => GrpcCallHandlers;
