import { WritePacer } from './write-pacer.js';

/** A write that records its start and hands back its done(). */
function recorder() {
  const started: string[] = [];
  const done = new Map<string, () => void>();
  const write = (name: string) => (d: () => void) => {
    started.push(name);
    done.set(name, d);
  };
  return { started, done, write };
}

test('writes start while the bytes in progress fit the budget; the rest wait in order until done frees it', () => {
  const p = new WritePacer({ budgetBytes: 100, slowMs: 60_000 });
  const r = recorder();
  const owner = [{}, {}, {}, {}];
  expect(p.write(owner[0]!, 60, r.write('a'))).toBe(true);
  expect(p.write(owner[1]!, 60, r.write('b'))).toBe(false);
  // Queued writes keep their order even when a later one would fit.
  expect(p.write(owner[2]!, 10, r.write('c'))).toBe(false);
  expect(r.started).toEqual(['a']);
  expect(p.bytesInProgress).toBe(60);
  r.done.get('a')!();
  expect(r.started).toEqual(['a', 'b', 'c']);
  expect(p.bytesInProgress).toBe(70);
  // A second done() of the same write changes nothing.
  r.done.get('a')!();
  expect(p.bytesInProgress).toBe(70);
  expect(p.write(owner[3]!, 40, r.write('d'))).toBe(false);
  r.done.get('c')!();
  expect(r.started).toEqual(['a', 'b', 'c', 'd']);
});

test('one write always may start, even one larger than the budget', () => {
  const p = new WritePacer({ budgetBytes: 10, slowMs: 60_000 });
  const r = recorder();
  expect(p.write({}, 1000, r.write('big'))).toBe(true);
  expect(p.write({}, 1, r.write('small'))).toBe(false);
  r.done.get('big')!();
  expect(r.started).toEqual(['big', 'small']);
});

test('a write not done within slowMs stops holding the budget, so a client that stops reading does not stall the others', async () => {
  const p = new WritePacer({ budgetBytes: 100, slowMs: 30 });
  const r = recorder();
  p.write({}, 100, r.write('stalled')); // never done
  expect(p.write({}, 50, r.write('live'))).toBe(false);
  await new Promise((resolve) => setTimeout(resolve, 120));
  expect(r.started).toEqual(['stalled', 'live']);
  expect(p.bytesInProgress).toBe(50);
  // The stalled write finishing late does not free the live one's bytes.
  r.done.get('stalled')!();
  expect(p.bytesInProgress).toBe(50);
});

test('cancel drops the owner’s waiting write and frees its writes in progress', () => {
  const p = new WritePacer({ budgetBytes: 100, slowMs: 60_000 });
  const r = recorder();
  const gone = {};
  p.write(gone, 100, r.write('gone-1'));
  p.write(gone, 100, r.write('gone-2'));
  p.write({}, 100, r.write('other'));
  p.cancel(gone);
  expect(r.started).toEqual(['gone-1', 'other']);
  expect(p.queued).toBe(0);
  expect(p.bytesInProgress).toBe(100);
});
