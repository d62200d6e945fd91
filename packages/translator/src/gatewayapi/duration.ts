// Gateway API Duration (GEP-2257): one to four <number><unit> groups, units
// h, m, s, ms, e.g. "1h30m", "500ms", "0s".
const GROUP = /([0-9]{1,5})(h|ms|m|s)/g;
const WHOLE = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/** Milliseconds, or undefined when the string is not a valid Gateway API Duration. */
export function parseDuration(s: unknown): number | undefined {
  if (typeof s !== 'string' || !WHOLE.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(GROUP)) {
    const n = Number(m[1]);
    switch (m[2]) {
      case 'h':
        ms += n * 3_600_000;
        break;
      case 'm':
        ms += n * 60_000;
        break;
      case 's':
        ms += n * 1000;
        break;
      default:
        ms += n;
    }
  }
  return ms;
}
