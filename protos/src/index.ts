// Loads the Envoy protos once and offers the few operations every package
// needs on them: look up a message type, encode a resource to bytes, decode it
// back, and render it in proto3 JSON form. Field names keep their proto case
// (snake_case), matching the generated types under ./generated.
import protobuf from 'protobufjs';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { NEWER_FIELDS, PROTO_INCLUDE_DIRS, ROOT_PROTO_FILES } from './roots.js';
import { messageFromProto3Json, messageToProto3Json } from './proto3-json.js';

// The Envoy protos import google/protobuf/descriptor.proto (for their option
// annotations); protobufjs bundles it as JSON but registers it only on request.
const requireJson = createRequire(import.meta.url);
for (const name of ['descriptor', 'api', 'source_context', 'type']) {
  const json = requireJson(`protobufjs/google/protobuf/${name}.json`) as {
    nested: { google: { nested: { protobuf: { nested: protobuf.INamespace['nested'] } } } };
  };
  protobuf.common(name, json.nested.google.nested.protobuf.nested as Record<string, protobuf.INamespace>);
}

export { NEWER_FIELDS, PROTO_INCLUDE_DIRS, ROOT_PROTO_FILES } from './roots.js';

export * from './type-url.js';
export * from './extension-type-urls.js';
export { METADATA_NAMESPACE, INVALID_BACKEND_CLUSTER, INVALID_TCP_BACKEND_CLUSTER, readMetadata } from './switchyard-metadata.js';
import { typeUrlOf } from './type-url.js';
import { encodePlainMessage } from './encode.js';

let cachedRoot: protobuf.Root | undefined;

/** The protobufjs Root holding every message reachable from ROOT_PROTO_FILES. */
export function envoyRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string | null => {
    if (path.isAbsolute(target) && fs.existsSync(target)) return target;
    for (const dir of PROTO_INCLUDE_DIRS) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return null;
  };
  root.loadSync([...ROOT_PROTO_FILES], { keepCase: true });
  for (const f of NEWER_FIELDS) root.lookupType(f.type).add(new protobuf.Field(f.name, f.id, f.fieldType));
  root.resolveAll();
  cachedRoot = root;
  return root;
}

const typeCache = new Map<string, protobuf.Type>();

/** Looks up a message type by fully qualified name or type URL. */
export function messageType(nameOrTypeUrl: string): protobuf.Type {
  let t = typeCache.get(nameOrTypeUrl);
  if (!t) {
    const name = nameOrTypeUrl.slice(nameOrTypeUrl.lastIndexOf('/') + 1);
    t = envoyRoot().lookupType(name);
    typeCache.set(nameOrTypeUrl, t);
  }
  return t;
}

/**
 * Encodes a resource given as a plain object in the shape of the generated
 * types (Any fields as `{ '@type': url, ...fields }`). Encoding follows field
 * number order, so equal objects give equal bytes.
 */
export function encodeMessage(nameOrTypeUrl: string, value: object): Uint8Array {
  return encodePlainMessage(messageType(nameOrTypeUrl), value);
}

/** Options that give objects in the shape of the generated `__Output` types. */
export const DECODE_OPTIONS: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  oneofs: false,
  json: true,
};

/** Decodes bytes into a plain object; Any fields come back with '@type'. */
export function decodeMessage(nameOrTypeUrl: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(nameOrTypeUrl);
  return type.toObject(type.decode(bytes), DECODE_OPTIONS);
}

/**
 * Renders a resource in Envoy's proto3 JSON form (camelCase field names,
 * '@type' on Any values, 64-bit integers as strings, durations as "1.5s").
 */
export function toProto3Json(nameOrTypeUrl: string, value: object): Record<string, unknown> {
  const type = messageType(nameOrTypeUrl);
  return messageToProto3Json(type, value, typeUrlOf(type.fullName.replace(/^\./, '')));
}

/** Reads a resource in proto3 JSON form into the shape of the generated types (see messageFromProto3Json). */
export function fromProto3Json(nameOrTypeUrl: string, json: unknown, unknown: string[] = []): Record<string, unknown> {
  return messageFromProto3Json(messageType(nameOrTypeUrl), json, unknown);
}

export * from './resources.js';
