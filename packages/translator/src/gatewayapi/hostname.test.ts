import { compareHostnames, hostnameProblem, hostnameWithin, intersectHostnames } from './hostname.js';

describe('hostnames', () => {
  it.each([
    ['foo.example.com', '*.example.com', true],
    ['a.b.example.com', '*.example.com', true],
    ['example.com', '*.example.com', false],
    ['*.foo.example.com', '*.example.com', true],
    ['*.example.com', '*.example.com', true],
    ['*.example.com', 'foo.example.com', false],
    ['anything', undefined, true],
  ] as const)('%s within %s: %s', (name, pattern, want) => {
    expect(hostnameWithin(name, pattern)).toBe(want);
  });
  it('intersects listener and route hostnames as the spec describes', () => {
    expect(intersectHostnames(undefined, undefined)).toEqual(['*']);
    expect(intersectHostnames('*.example.com', undefined)).toEqual(['*.example.com']);
    expect(intersectHostnames(undefined, ['a.com', 'b.com'])).toEqual(['a.com', 'b.com']);
    expect(intersectHostnames('*.example.com', ['foo.example.com', 'example.com', 'foo.example.net'])).toEqual(['foo.example.com']);
    expect(intersectHostnames('foo.example.com', ['*.example.com'])).toEqual(['foo.example.com']);
    expect(intersectHostnames('*.example.com', ['*.foo.example.com'])).toEqual(['*.foo.example.com']);
    expect(intersectHostnames('*.foo.example.com', ['*.example.com'])).toEqual(['*.foo.example.com']);
    expect(intersectHostnames('a.com', ['b.com'])).toEqual([]);
  });
  it('orders exact, then longer wildcards, then *', () => {
    expect(['*', '*.a.com', 'z.com', '*.b.a.com', 'a.com'].sort(compareHostnames)).toEqual(['a.com', 'z.com', '*.b.a.com', '*.a.com', '*']);
  });
  it('validates hostnames', () => {
    expect(hostnameProblem('foo.example.com')).toBeUndefined();
    expect(hostnameProblem('*.example.com')).toBeUndefined();
    expect(hostnameProblem('Foo.com')).toBeDefined();
    expect(hostnameProblem('a..b')).toBeDefined();
    expect(hostnameProblem('1.2.3.4')).toBeDefined();
    expect(hostnameProblem('foo.*.com')).toBeDefined();
  });
});
