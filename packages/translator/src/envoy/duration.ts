// google.protobuf.Duration from milliseconds.
import type { Duration } from '@switchyard/protos/generated/google/protobuf/Duration.js';

export function durationMs(ms: number): Duration {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}
