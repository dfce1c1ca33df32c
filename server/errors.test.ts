import { expect, it } from 'vitest';
import { AppError, isTransientError } from './errors';

it('retries connection resets, timeouts, 429 and 5xx; never bad SQL, bad data or bad config', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  expect(isTransientError(reset)).toBe(true);
  expect(isTransientError(new Error('wrapped', { cause: reset }))).toBe(true);
  expect(isTransientError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
  expect(isTransientError(new AppError('REDIS_UNAVAILABLE', 'down'))).toBe(true);
  expect(isTransientError(new AppError('SQL_EXECUTION_FAILED', 'HTTP', { httpStatus: 429 }))).toBe(true);
  expect(isTransientError(new AppError('SQL_EXECUTION_FAILED', 'HTTP', { httpStatus: 503 }))).toBe(true);
  expect(isTransientError(new AppError('SQL_EXECUTION_FAILED', 'HTTP', { httpStatus: 404 }))).toBe(false);
  expect(isTransientError(new AppError('CSV_MALFORMED_ROW', 'Line 3'))).toBe(false);
  expect(isTransientError(new AppError('PIPELINE_INVALID', 'bad config'))).toBe(false);
  expect(isTransientError(new AppError('INTERNAL', 'bug'))).toBe(false);
  expect(isTransientError(new Error('Binder Error: column "x" not found'))).toBe(false);
  expect(isTransientError('a string')).toBe(false);
});
