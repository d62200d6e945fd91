import { re2Problem } from './regex.js';

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
  it('rejects very long patterns', () => {
    expect(re2Problem('a'.repeat(2000))).toMatch(/longer than 1024/);
  });
});
