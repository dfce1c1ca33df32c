import { describe, expect, it } from 'vitest';
import { createFrameBatcher, type FrameScheduler } from './frame-batcher';

function fakeFrames() {
  const callbacks = new Map<number, () => void>();
  let next = 1;
  const scheduler: FrameScheduler = {
    request(callback) {
      callbacks.set(next, callback);
      return next++;
    },
    cancel(handle) {
      callbacks.delete(handle);
    },
  };
  const tick = () => {
    const pending = [...callbacks.values()];
    callbacks.clear();
    pending.forEach((cb) => cb());
  };
  return { scheduler, tick, pending: () => callbacks.size };
}

describe('createFrameBatcher', () => {
  it('delivers everything pushed within a frame as one batch', () => {
    const frames = fakeFrames();
    const batches: number[][] = [];
    const batcher = createFrameBatcher<number>((items) => batches.push(items), frames.scheduler);
    batcher.push(1);
    batcher.push(2);
    batcher.push(3);
    expect(frames.pending()).toBe(1);
    expect(batches).toEqual([]);
    frames.tick();
    expect(batches).toEqual([[1, 2, 3]]);
    batcher.push(4);
    frames.tick();
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('can flush early or drop what is queued', () => {
    const frames = fakeFrames();
    const batches: string[][] = [];
    const batcher = createFrameBatcher<string>((items) => batches.push(items), frames.scheduler);
    batcher.push('a');
    batcher.flush();
    expect(batches).toEqual([['a']]);
    expect(frames.pending()).toBe(0);
    batcher.push('b');
    batcher.cancel();
    frames.tick();
    expect(batches).toEqual([['a']]);
  });
});
