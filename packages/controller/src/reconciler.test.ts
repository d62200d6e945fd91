import { jest } from '@jest/globals';
import { Subject } from 'rxjs';
import { coalesce } from './reconciler.js';

describe('coalesce', () => {
  afterEach(() => jest.useRealTimers());
  it('turns a burst into one batch, closes a batch at the max wait under a steady stream, and starts a new batch after a quiet gap', () => {
    jest.useFakeTimers();
    const src = new Subject<number>();
    const batches: number[][] = [];
    src.pipe(coalesce(50, 250)).subscribe((b) => batches.push(b));
    for (let i = 0; i < 5; i++) src.next(i);
    jest.advanceTimersByTime(49);
    expect(batches).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    // A steady stream (one event every 40 ms) never goes quiet: the max wait closes the batch.
    for (let i = 0; i < 10; i++) {
      src.next(100 + i);
      jest.advanceTimersByTime(40);
    }
    expect(batches.length).toBe(2);
    expect(batches[1]).toEqual([100, 101, 102, 103, 104, 105, 106]);
    jest.advanceTimersByTime(1000);
    expect(batches[2]).toEqual([107, 108, 109]);
  });
});
