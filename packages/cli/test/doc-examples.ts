// The command examples of a Markdown doc, run as tests: every `$ switchyard
// ...` line in a code block is a command, the non-empty lines after it are
// what the doc shows it printing. The docs cannot drift from what users get.
import path from 'node:path';
import { REPO_ROOT } from '../../../e2e/go-module.js';

export { REPO_ROOT };

export interface DocExample {
  /** The command line after `switchyard`, as the doc writes it (names the test). */
  readonly command: string;
  /** Its arguments, with `examples/` made absolute. */
  readonly argv: string[];
  /** What the doc shows it printing, line by line. */
  readonly shown: string[];
}

/** Splits a shell command line into words, with '...' quoting. */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/**
 * The examples in the doc's code blocks. `prompt` is how a command line
 * starts: a doc that also shows commands that are not meant to run (an error
 * example on a file that does not exist) writes the runnable ones with `npx`.
 */
export function docExamples(markdown: string, prompt = '$ npx switchyard '): DocExample[] {
  const out: Array<{ command: string; argv: string[]; shown: string[] }> = [];
  for (const [, block] of markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)) {
    let current: { command: string; argv: string[]; shown: string[] } | undefined;
    for (const line of block!.split('\n')) {
      if (line.startsWith(prompt)) {
        const command = line.slice(prompt.length);
        current = { command, argv: shellWords(command).map((a) => (a === 'examples/' ? path.join(REPO_ROOT, 'examples') : a)), shown: [] };
        out.push(current);
      } else if (current && line.trim() !== '') current.shown.push(line);
    }
  }
  return out;
}

/** Every shown line appears in the output, in order; a line `...` stands for output the doc leaves out. */
export function expectShownInOrder(stdout: string, shown: readonly string[]): void {
  const actual = stdout.split('\n');
  let at = 0;
  for (const line of shown) {
    if (line.trim() === '...') continue;
    const found = actual.indexOf(line, at);
    expect({ line, found: found >= 0 }).toEqual({ line, found: true });
    at = found + 1;
  }
}
