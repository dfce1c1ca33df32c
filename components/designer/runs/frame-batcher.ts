// Collects items and hands them over once per animation frame, so a burst of
// run events becomes one state update.

export interface FrameBatcher<T> {
  push(item: T): void;
  /** Hands over what is queued now, without waiting for the frame. */
  flush(): void;
  cancel(): void;
}

export interface FrameScheduler {
  request(callback: () => void): number;
  cancel(handle: number): void;
}

const animationFrames: FrameScheduler = {
  request: (callback) => requestAnimationFrame(callback),
  cancel: (handle) => cancelAnimationFrame(handle),
};

export function createFrameBatcher<T>(deliver: (items: T[]) => void, scheduler: FrameScheduler = animationFrames): FrameBatcher<T> {
  let queue: T[] = [];
  let handle: number | null = null;

  const flush = () => {
    if (handle !== null) scheduler.cancel(handle);
    handle = null;
    if (queue.length === 0) return;
    const items = queue;
    queue = [];
    deliver(items);
  };

  return {
    push(item) {
      queue.push(item);
      if (handle === null) handle = scheduler.request(flush);
    },
    flush,
    cancel() {
      if (handle !== null) scheduler.cancel(handle);
      handle = null;
      queue = [];
    },
  };
}
