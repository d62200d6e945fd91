// Envoy's StringMatcher and RegexMatcher semantics. Regular expressions run on
// RE2 (the engine Envoy uses), so a pattern RE2 rejects or reads differently
// from JavaScript behaves here as it would in Envoy.
import { RE2 } from 're2-wasm';
import type { StringMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/StringMatcher.js';
import type { RegexMatcher } from '@switchyard/protos/generated/envoy/type/matcher/v3/RegexMatcher.js';

const compiled = new Map<string, RE2 | Error>();

function compile(pattern: string, flags: string): RE2 | Error {
  const key = `${flags}/${pattern}`;
  let re = compiled.get(key);
  if (re === undefined) {
    try {
      re = new RE2(pattern, flags);
    } catch (e) {
      re = e instanceof Error ? e : new Error(String(e));
    }
    compiled.set(key, re);
  }
  return re;
}

/** Thrown for a pattern RE2 rejects; Envoy would have rejected the whole resource. */
export class InvalidRegexError extends Error {
  constructor(
    readonly pattern: string,
    cause: Error,
  ) {
    super(`regex ${JSON.stringify(pattern)} is not valid RE2: ${cause.message}`);
  }
}

/** RE2 full match, as Envoy's safe_regex matchers do. */
export function regexFullMatch(pattern: string, value: string): boolean {
  const re = compile(`^(?:${pattern})$`, 'u');
  if (re instanceof Error) throw new InvalidRegexError(pattern, re);
  return re.test(value);
}

/** The regex of a RegexMatcher (engine_type is RE2 whatever it says). */
export function regexOf(m: RegexMatcher | null | undefined): string {
  return m?.regex ?? '';
}

/**
 * RE2::GlobalReplace, as Envoy's regex_rewrite applies it: every
 * non-overlapping match is replaced; `\0`..`\9` in the substitution name
 * capture groups.
 */
export function regexGlobalReplace(pattern: string, value: string, substitution: string): string {
  const re = compile(pattern, 'gu');
  if (re instanceof Error) throw new InvalidRegexError(pattern, re);
  re.lastIndex = 0;
  let out = '';
  let last = 0;
  for (;;) {
    const m = re.exec(value);
    if (m === null) break;
    out += value.slice(last, m.index) + substitute(substitution, m);
    last = m.index + (m[0] ?? '').length;
    if ((m[0] ?? '').length === 0) {
      // An empty match: copy one character and move on, as RE2 does.
      if (m.index >= value.length) break;
      out += value.charAt(m.index);
      last = m.index + 1;
      re.lastIndex = last;
    }
  }
  return out + value.slice(last);
}

function substitute(template: string, groups: ReadonlyArray<string | undefined>): string {
  return template.replace(/\\(\d|\\)/g, (_all, g: string) => (g === '\\' ? '\\' : (groups[Number(g)] ?? '')));
}

/** Envoy's StringMatcher: ignore_case applies to exact/prefix/suffix/contains, never to safe_regex. */
export function matchString(m: StringMatcher | null | undefined, value: string): boolean {
  if (!m) return false;
  const ic = m.ignore_case === true;
  const v = ic ? value.toLowerCase() : value;
  const norm = (s: string | undefined): string => (ic ? (s ?? '').toLowerCase() : (s ?? ''));
  if (m.exact !== undefined) return v === norm(m.exact);
  if (m.prefix !== undefined) return v.startsWith(norm(m.prefix));
  if (m.suffix !== undefined) return v.endsWith(norm(m.suffix));
  if (m.contains !== undefined) return v.includes(norm(m.contains));
  if (m.safe_regex !== undefined && m.safe_regex !== null) return regexFullMatch(regexOf(m.safe_regex), value);
  // An empty StringMatcher (or a custom extension) — Envoy rejects the former; treat both as no match.
  return false;
}
