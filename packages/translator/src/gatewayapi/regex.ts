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
