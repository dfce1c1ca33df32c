import { describe, expect, it } from 'vitest';
import { insertToken, quoteIdentifier } from './expression-text';

describe('quoteIdentifier', () => {
  it('double-quotes names and doubles embedded quotes', () => {
    expect(quoteIdentifier('amount')).toBe('"amount"');
    expect(quoteIdentifier('order date')).toBe('"order date"');
    expect(quoteIdentifier('say "hi"')).toBe('"say ""hi"""');
  });
});

describe('insertToken', () => {
  it('inserts at the caret and puts the caret after the insertion', () => {
    expect(insertToken('', 0, 0, '"a"')).toEqual({ text: '"a"', caret: 3 });
    expect(insertToken('sum()', 4, 4, '"a"')).toEqual({ text: 'sum("a")', caret: 7 });
    expect(insertToken('x + ', 4, 4, '"a"')).toEqual({ text: 'x + "a"', caret: 7 });
  });

  it('replaces the selection', () => {
    expect(insertToken('price * qty', 8, 11, '"quantity"')).toEqual({ text: 'price * "quantity"', caret: 18 });
    expect(insertToken('price * qty', 11, 8, '"quantity"')).toEqual({ text: 'price * "quantity"', caret: 18 });
  });

  it('keeps identifiers from fusing with their neighbours', () => {
    expect(insertToken('"a"', 3, 3, '"b"')).toEqual({ text: '"a" "b"', caret: 7 });
    expect(insertToken('price', 0, 0, '"b"')).toEqual({ text: '"b" price', caret: 3 });
    expect(insertToken('upper()', 7, 7, '"b"')).toEqual({ text: 'upper() "b"', caret: 11 });
    expect(insertToken('a  b', 2, 2, '"c"')).toEqual({ text: 'a "c" b', caret: 5 });
  });

  it('clamps positions outside the text', () => {
    expect(insertToken('x', 99, 99, '"b"')).toEqual({ text: 'x "b"', caret: 5 });
    expect(insertToken('+ 1', -5, -5, '"b"')).toEqual({ text: '"b"+ 1', caret: 3 });
  });
});
