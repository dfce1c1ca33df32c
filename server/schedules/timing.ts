// When a schedule fires: validation of cron expressions, time zones and
// intervals, and the firing times ("slots") both BullMQ and the catch-up logic
// agree on. BullMQ computes cron slots with the same cron-parser, and interval
// slots at multiples of the interval since the epoch (we pass offset = every,
// which BullMQ's alignment reads as "no shift"), so a slot is identified by
// its time alone: the run for it carries that time as scheduledFor.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { AppError } from '../errors';

export const SchedulePresets = { hourly: '0 * * * *', daily: '0 0 * * *', weekly: '0 0 * * 1' } as const;
export type SchedulePreset = keyof typeof SchedulePresets;

export const ScheduleTimingSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cron'), cron: z.string().trim().min(1).max(200), timeZone: z.string().trim().min(1).max(100).default('UTC') }),
  z.object({ kind: z.literal('preset'), preset: z.enum(['hourly', 'daily', 'weekly']), timeZone: z.string().trim().min(1).max(100).default('UTC') }),
  z.object({ kind: z.literal('interval'), intervalSeconds: z.number().positive().max(366 * 86_400) }),
]);
export type ScheduleTimingInput = z.input<typeof ScheduleTimingSchema>;

/** What BullMQ and the catch-up logic need: a cron pattern in a zone, or an interval. */
export type Timing = { kind: 'cron'; pattern: string; timeZone: string } | { kind: 'interval'; everyMs: number };

export const MIN_INTERVAL_SECONDS = 1;

export function validateTimeZone(timeZone: string): string {
  try {
    // Throws RangeError for names that are not IANA zones (or aliases of one).
    new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
    return timeZone;
  } catch {
    throw new AppError('BAD_INPUT', `"${timeZone}" is not an IANA time zone; use a name such as UTC, Europe/Berlin or America/New_York`, { field: 'timeZone' });
  }
}

export function validateCron(pattern: string, timeZone: string): string {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new AppError('BAD_INPUT', `Cron expression "${pattern}" has ${fields.length} field(s); write five: minute hour day-of-month month day-of-week (e.g. "30 2 * * 1-5")`, { field: 'cron' });
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: timeZone }).next();
  } catch (error) {
    throw new AppError('BAD_INPUT', `Cron expression "${pattern}" is invalid: ${error instanceof Error ? error.message : String(error)}`, { field: 'cron' });
  }
  return fields.join(' ');
}

/** Checks a timing as given by a user; the result is what is stored. */
export function validateTiming(input: z.output<typeof ScheduleTimingSchema>, options: { minIntervalSeconds?: number } = {}): { kind: 'cron' | 'preset' | 'interval'; preset: SchedulePreset | null; cron: string | null; timeZone: string; intervalSeconds: number | null } {
  if (input.kind === 'interval') {
    const min = options.minIntervalSeconds ?? MIN_INTERVAL_SECONDS;
    if (input.intervalSeconds < min) throw new AppError('BAD_INPUT', `An interval is at least ${min} s (got ${input.intervalSeconds} s)`, { field: 'intervalSeconds' });
    return { kind: 'interval', preset: null, cron: null, timeZone: 'UTC', intervalSeconds: input.intervalSeconds };
  }
  const timeZone = validateTimeZone(input.timeZone);
  if (input.kind === 'preset') return { kind: 'preset', preset: input.preset, cron: SchedulePresets[input.preset], timeZone, intervalSeconds: null };
  return { kind: 'cron', preset: null, cron: validateCron(input.cron, timeZone), timeZone, intervalSeconds: null };
}

/** The timing of a stored schedule. */
export function timingOf(s: { kind: 'cron' | 'preset' | 'interval'; cron: string | null; timeZone: string; intervalSeconds: number | null }): Timing {
  if (s.kind === 'interval') return { kind: 'interval', everyMs: Math.round((s.intervalSeconds ?? 3600) * 1000) };
  return { kind: 'cron', pattern: s.cron ?? SchedulePresets.daily, timeZone: s.timeZone };
}

/** The repeat options BullMQ's job scheduler is given for a timing. */
export function repeatOptions(timing: Timing): { pattern: string; tz: string } | { every: number; offset: number } {
  return timing.kind === 'cron' ? { pattern: timing.pattern, tz: timing.timeZone } : { every: timing.everyMs, offset: timing.everyMs };
}

/** The newest firing time at or before `at`. */
export function latestSlot(timing: Timing, at: Date): Date {
  if (timing.kind === 'interval') return new Date(Math.floor(at.getTime() / timing.everyMs) * timing.everyMs);
  // Walk forward with next(), as BullMQ does: cron-parser's prev() skips a firing that
  // falls into a daylight-saving gap, which next() moves to the first valid time.
  const back = CronExpressionParser.parse(timing.pattern, { tz: timing.timeZone, currentDate: new Date(at.getTime() + 1) });
  back.prev();
  const start = back.prev().toDate();
  const forward = CronExpressionParser.parse(timing.pattern, { tz: timing.timeZone, currentDate: new Date(start.getTime() - 1) });
  let latest = start;
  for (let next = forward.next().toDate(); next.getTime() <= at.getTime(); next = forward.next().toDate()) latest = next;
  return latest;
}

/** The next `count` firing times after `after`, for showing a schedule. */
export function nextSlots(timing: Timing, after: Date, count: number): Date[] {
  if (timing.kind === 'interval') {
    const first = Math.floor(after.getTime() / timing.everyMs) * timing.everyMs + timing.everyMs;
    return Array.from({ length: count }, (_, i) => new Date(first + i * timing.everyMs));
  }
  const it = CronExpressionParser.parse(timing.pattern, { tz: timing.timeZone, currentDate: after });
  return Array.from({ length: count }, () => it.next().toDate());
}
