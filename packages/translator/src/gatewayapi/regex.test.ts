import fc from 'fast-check';
import { RE2 } from 're2-wasm';
import { re2Problem } from './regex.js';

/** Whether re2-wasm itself compiles the pattern. */
function re2Compiles(pattern: string): boolean {
  try {
    const re = new RE2(pattern, 'u');
    (re as unknown as { wrapper?: { delete?: () => void } }).wrapper?.delete?.();
    return true;
  } catch {
    return false;
  }
}

describe('RE2 validation', () => {
  it('accepts what RE2 accepts (including RE2-only syntax)', () => {
    for (const p of ['/foo/[0-9]+', '.*', '\\p{Greek}+', '[[:alpha:]]+', '(?P<name>x)', '(?i)abc', 'a{2,5}']) expect(re2Problem(p)).toBeUndefined();
  });
  it('rejects what RE2 rejects, with RE2s reason and the pattern', () => {
    expect(re2Problem('/(a|b')).toBe('"/(a|b" is not a valid RE2 regular expression: missing ): /(a|b');
    for (const p of ['(?=lookahead)', '(a)\\1', 'a{2,1}', 'x**', '']) expect(re2Problem(p)).toBeDefined();
  });
  it('rejects the JavaScript-only escapes re2-wasm would rewrite but Envoy refuses', () => {
    expect(re2Problem('/a\\u0041')).toMatch(/invalid escape sequence: \\u/);
    expect(re2Problem('[\\cA]')).toMatch(/invalid escape sequence: \\c/);
    expect(re2Problem('/a\\\\u')).toBeUndefined(); // an escaped backslash, then "u"
    expect(re2Problem('\\x{41}')).toBeUndefined();
  });
  it('agrees with RE2 on patterns of the common syntax and its near misses', () => {
    // re2Problem skips compiling patterns of a plain subset; it must still accept exactly what RE2 accepts.
    const token = fc.constantFrom(
      ...[
        'a',
        'z',
        '0',
        '9',
        '/',
        '-',
        '.',
        '^',
        '$',
        '|',
        '(',
        ')',
        '(?:',
        '*',
        '+',
        '?',
        '[',
        ']',
        '[^',
        '\\',
        '\\d',
        '\\w',
        '\\.',
        '\\/',
        '{',
        '}',
        ':',
        ' ',
        'é',
      ],
    );
    const pattern = fc.array(token, { minLength: 1, maxLength: 12 }).map((t) => t.join(''));
    fc.assert(
      fc.property(pattern, (p) => (re2Problem(p) === undefined) === re2Compiles(p)),
      { numRuns: 3000 },
    );
    for (const p of ['/v1/api38/[0-9]+(/[a-z]+)?', '[a-]', '[-a]', '[a-b-c]', '[z-a]', '[]a]', '()*', '(|a)', 'a**', 'a*?', 'a??+', '^*', '\\', '[\\d-z]'])
      expect([p, re2Problem(p) === undefined]).toEqual([p, re2Compiles(p)]);
  });
  it('rejects very long patterns', () => {
    expect(re2Problem('a'.repeat(2000))).toMatch(/longer than 1024/);
  });
});
