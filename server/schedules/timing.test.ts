import { describe, expect, it } from 'vitest';
import { latestSlot, nextSlots, repeatOptions, timingOf, validateTiming } from './timing';

describe('schedule timing', () => {
  it('accepts five-field cron expressions in IANA time zones', () => {
    expect(validateTiming({ kind: 'cron', cron: ' 30  2 * * 1-5 ', timeZone: 'Europe/Berlin' })).toEqual({ kind: 'cron', preset: null, cron: '30 2 * * 1-5', timeZone: 'Europe/Berlin', intervalSeconds: null });
    expect(validateTiming({ kind: 'preset', preset: 'weekly', timeZone: 'Asia/Kolkata' })).toMatchObject({ cron: '0 0 * * 1', timeZone: 'Asia/Kolkata' });
  });

  it('explains bad cron expressions, time zones and intervals', () => {
    expect(() => validateTiming({ kind: 'cron', cron: '61 * * * *', timeZone: 'UTC' })).toThrow('Cron expression "61 * * * *" is invalid: Constraint error, got value 61 expected range 0-59');
    expect(() => validateTiming({ kind: 'cron', cron: '* * * *', timeZone: 'UTC' })).toThrow('Cron expression "* * * *" has 4 field(s); write five');
    expect(() => validateTiming({ kind: 'cron', cron: '*/5 * * * * *', timeZone: 'UTC' })).toThrow('has 6 field(s)');
    expect(() => validateTiming({ kind: 'cron', cron: '0 * * * *', timeZone: 'Mars/Olympus' })).toThrow('"Mars/Olympus" is not an IANA time zone');
    expect(() => validateTiming({ kind: 'preset', preset: 'daily', timeZone: 'CEST+2' })).toThrow('is not an IANA time zone');
    expect(() => validateTiming({ kind: 'interval', intervalSeconds: 0.5 })).toThrow('An interval is at least 1 s (got 0.5 s)');
  });

  it('computes firing times in the time zone, across a DST change', () => {
    const berlin2am = timingOf({ kind: 'cron', cron: '0 2 * * *', timeZone: 'Europe/Berlin', intervalSeconds: null });
    // 2024-03-31 02:00 does not exist in Berlin; the next firings are 03:00 CEST (01:00Z) and 02:00 CEST (00:00Z).
    expect(nextSlots(berlin2am, new Date('2024-03-30T12:00:00Z'), 2).map((d) => d.toISOString())).toEqual(['2024-03-31T01:00:00.000Z', '2024-04-01T00:00:00.000Z']);
    expect(latestSlot(berlin2am, new Date('2024-04-01T00:00:00Z')).toISOString()).toBe('2024-04-01T00:00:00.000Z');
    expect(latestSlot(berlin2am, new Date('2024-03-31T23:59:59Z')).toISOString()).toBe('2024-03-31T01:00:00.000Z');
  });

  it('aligns interval firings to multiples of the interval, as BullMQ does with offset = every', () => {
    const every90 = timingOf({ kind: 'interval', cron: null, timeZone: 'UTC', intervalSeconds: 90 });
    expect(repeatOptions(every90)).toEqual({ every: 90_000, offset: 90_000 });
    expect(latestSlot(every90, new Date(1_000_000_000_123)).getTime() % 90_000).toBe(0);
    expect(nextSlots(every90, new Date(90_000 * 5), 2).map((d) => d.getTime())).toEqual([90_000 * 6, 90_000 * 7]);
  });
});
