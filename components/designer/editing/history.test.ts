import { describe, expect, it } from 'vitest';
import { breakCoalescing, COALESCE_WINDOW_MS, emptyHistory, recordEdit, redo, undo, type History } from './history';

describe('edit history', () => {
  it('undoes and redoes edits one step at a time', () => {
    let h: History<string> = emptyHistory();
    h = recordEdit(h, 'a', null, 0);
    h = recordEdit(h, 'b', null, 10);
    const back = undo(h, 'c');
    expect(back?.document).toBe('b');
    const back2 = undo(back!.history, 'b');
    expect(back2?.document).toBe('a');
    expect(undo(back2!.history, 'a')).toBeNull();
    const forward = redo(back2!.history, 'a');
    expect(forward?.document).toBe('b');
    expect(redo(forward!.history, 'b')?.document).toBe('c');
  });

  it('joins edits with the same key inside the window, and only those', () => {
    let h: History<string> = emptyHistory();
    h = recordEdit(h, 'v0', 'config:n1:name', 0);
    h = recordEdit(h, 'v1', 'config:n1:name', COALESCE_WINDOW_MS - 1);
    h = recordEdit(h, 'v2', 'config:n1:name', 2 * COALESCE_WINDOW_MS - 2);
    expect(h.past).toEqual(['v0']);
    // Another field, or a pause longer than the window, starts a new step.
    h = recordEdit(h, 'v3', 'config:n1:other', 2 * COALESCE_WINDOW_MS);
    h = recordEdit(h, 'v4', 'config:n1:other', 4 * COALESCE_WINDOW_MS);
    expect(h.past).toEqual(['v0', 'v3', 'v4']);
  });

  it('starts a new step after coalescing is broken (a drag ended)', () => {
    let h: History<string> = emptyHistory();
    h = recordEdit(h, 'p0', 'move:n1', 0);
    h = recordEdit(h, 'p1', 'move:n1', 5);
    h = breakCoalescing(h);
    h = recordEdit(h, 'p2', 'move:n1', 10);
    expect(h.past).toEqual(['p0', 'p2']);
  });

  it('drops the redo branch on a new edit and caps the number of steps', () => {
    let h: History<number> = emptyHistory();
    for (let i = 0; i < 5; i++) h = recordEdit(h, i, null, i, 3);
    expect(h.past).toEqual([2, 3, 4]);
    const back = undo(h, 5)!;
    expect(back.history.future).toEqual([5]);
    const after = recordEdit(back.history, 4, null, 100, 3);
    expect(after.future).toEqual([]);
    expect(redo(after, 9)).toBeNull();
  });

  it('never coalesces into a step that was undone', () => {
    let h: History<string> = emptyHistory();
    h = recordEdit(h, 'a', 'k', 0);
    const back = undo(h, 'b')!;
    h = recordEdit(back.history, 'a', 'k', 1);
    expect(h.past).toEqual(['a']);
  });
});
