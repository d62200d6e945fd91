// RE2 validation. Envoy compiles every safe_regex with Google RE2 and
// rejects the whole resource if one fails, so a pattern RE2 would reject must
// be caught here, reported in status, and never sent. re2-wasm is RE2 itself
// compiled to WebAssembly, so "compiles here" means "compiles in Envoy".
// Envoy also rejects regexes whose RE2 program size exceeds a runtime limit
// (default 100, too small for ordinary patterns); Switchyard's bootstraps lift
// it (envoy/bootstrap*.yaml, layered_runtime) and a length cap bounds cost here.
import { RE2 } from 're2-wasm';

/** Longest pattern accepted; far below what would exceed Envoy's RE2 program-size limit in practice. */
export const MAX_REGEX_LENGTH = 1024;

export type RegexValidator = (pattern: string) => string | undefined;

const cache = new Map<string, string | undefined>();

/** Returns undefined when RE2 accepts the pattern, else a message saying why not. */
export function re2Problem(pattern: string): string | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let problem: string | undefined;
  if (pattern.length === 0) problem = 'empty regular expression';
  else if (pattern.length > MAX_REGEX_LENGTH) problem = `regular expression longer than ${MAX_REGEX_LENGTH} characters`;
  else {
    const escape = jsOnlyEscape(pattern);
    if (escape) problem = `"${pattern}" is not a valid RE2 regular expression: invalid escape sequence: ${escape}`;
    else if (plainlyValid(pattern)) problem = undefined;
    else
      try {
        // 'u' is required by re2-wasm; it does not change which patterns RE2 accepts.
        const re = new RE2(pattern, 'u');
        // re2-wasm never frees the compiled RE2 (an embind object in WebAssembly memory); do it here.
        (re as unknown as { wrapper?: { delete?: () => void } }).wrapper?.delete?.();
      } catch (e) {
        problem = `"${pattern}" is not a valid RE2 regular expression: ${re2Reason(e)}`;
      }
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(pattern, problem);
  return problem;
}

/** RE2's own reason, without re2-wasm's "Invalid regular expression: /<source>/<flags>: " wrapper. */
function re2Reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^Invalid regular expression: \/[\s\S]*\/[a-z]*: ([\s\S]*)$/.exec(msg);
  return (m ? m[1]! : msg).replace(/\\\//g, '/');
}

/**
 * Whether the pattern keeps to a small, common part of the syntax that RE2
 * always accepts: printable ASCII literals, `.`, `^`, `$`, `|`, plain groups,
 * bracket classes of literals and ascending ranges, `\d \w \s` (and their
 * negations), escaped punctuation, and one `*`, `+` or `?` (lazy or not)
 * after an atom. Such a pattern need not be compiled to be known good:
 * re2-wasm takes about half a millisecond per pattern, 1.3 s of CPU for the
 * 2,000 patterns of 10,000 generated routes. Anything else (counted
 * repetitions, `(?` groups, other escapes, POSIX classes, non-ASCII) is left
 * to RE2, as is every pattern RE2 might reject.
 */
function plainlyValid(p: string): boolean {
  let depth = 0;
  // Whether the previous token is an atom a repetition operator may follow.
  let repeatable = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i]!;
    const code = p.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
    switch (ch) {
      case '(':
        if (p[i + 1] === '?') return false;
        depth++;
        repeatable = false;
        break;
      case ')':
        if (depth === 0) return false;
        depth--;
        repeatable = true;
        break;
      case '|':
      case '^':
      case '$':
        repeatable = false;
        break;
      case '*':
      case '+':
      case '?':
        if (!repeatable) return false;
        if (p[i + 1] === '?') i++; // lazy
        repeatable = false;
        break;
      case '[': {
        const end = plainClassEnd(p, i);
        if (end < 0) return false;
        i = end;
        repeatable = true;
        break;
      }
      case '\\':
        if (!PLAIN_ESCAPE.test(p[i + 1] ?? '')) return false;
        i++;
        repeatable = true;
        break;
      case '{':
      case '}':
      case ']':
        return false;
      default:
        repeatable = true;
    }
  }
  return depth === 0;
}

/** Escapes RE2 reads the same everywhere: Perl classes and punctuation. */
const PLAIN_ESCAPE = /^[dDwWsS.^$*+?()[\]{}|\\/-]$/;

/** The index of the `]` closing a plain bracket class opened at `start`, or -1 when the class is not plain. */
function plainClassEnd(p: string, start: number): number {
  let i = start + 1;
  if (p[i] === '^') i++;
  const first = i;
  for (; i < p.length; i++) {
    const ch = p[i]!;
    const code = p.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || ch === '[') return -1;
    if (ch === ']') return i === first ? -1 : i;
    if (ch === '\\') {
      if (!PLAIN_ESCAPE.test(p[i + 1] ?? '') || p[i + 2] === '-') return -1;
      i++;
      continue;
    }
    if (ch === '-' && i !== first && p[i + 1] !== ']') return -1;
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      const hi = p[i + 2]!;
      const hiCode = p.charCodeAt(i + 2);
      if (hiCode < 0x20 || hiCode > 0x7e || hi === '\\' || hi === '[' || hiCode < code) return -1;
      i += 2;
    }
  }
  return -1;
}

/**
 * re2-wasm rewrites two JavaScript-only escapes before compiling (\cX to \xNN,
 * \uXXXX to \x{XXXX}), so it would accept them; Envoy's RE2 rejects both.
 * Returns the offending escape, if any.
 */
function jsOnlyEscape(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1];
    if (next === 'c' || next === 'u') return `\\${next}`;
    i++; // skip the escaped character (so "\\\\u" is a literal backslash and "u")
  }
  return undefined;
}
