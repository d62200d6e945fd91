// An Envoy DataSource's inline content as text (inline_string, or
// inline_bytes as base64 in proto3 JSON or as raw bytes); files and
// environment variables are not the model's business.
import type { DataSource } from '@switchyard/protos/generated/envoy/config/core/v3/DataSource.js';

export function inlineText(ds: DataSource | null | undefined): string | undefined {
  if (ds?.inline_string != null) return ds.inline_string;
  if (typeof ds?.inline_bytes === 'string') return Buffer.from(ds.inline_bytes, 'base64').toString('utf8');
  return ds?.inline_bytes ? Buffer.from(ds.inline_bytes).toString('utf8') : undefined;
}
