// Envoy's DataSource (filename, inline_string, inline_bytes, environment_variable)
// as bytes: certificates and keys in the bootstrap and in SDS secrets.
import fs from 'node:fs';
import type { DataSource } from '@switchyard/protos/generated/envoy/config/core/v3/DataSource.js';

export function dataSourceBytes(ds: DataSource | null | undefined): Buffer | undefined {
  if (!ds) return undefined;
  if (ds.filename) return fs.readFileSync(ds.filename);
  if (ds.inline_string !== undefined && ds.inline_string !== null) return Buffer.from(ds.inline_string, 'utf8');
  // Decoded protobuf bytes arrive base64-encoded (DECODE_OPTIONS bytes: String).
  if (typeof ds.inline_bytes === 'string') return Buffer.from(ds.inline_bytes, 'base64');
  if (ds.inline_bytes) return Buffer.from(ds.inline_bytes);
  if (ds.environment_variable) {
    const v = process.env[ds.environment_variable];
    return v === undefined ? undefined : Buffer.from(v, 'utf8');
  }
  return undefined;
}
