// Numbers, durations and times as the UI prints them.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const formatCount = (n: number): string => integer.format(n);

/** "1,234 rows", "1 row". */
export const formatRows = (n: number): string => `${formatCount(n)} ${n === 1 ? 'row' : 'rows'}`;

/** "850 ms", "4.2 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export const formatDateTime = (date: Date | null): string => (date ? dateTime.format(date) : '—');

/** Today's times as a time of day, older ones with their date. */
export function formatWhen(date: Date | null, now: Date = new Date()): string {
  if (!date) return '—';
  return date.toDateString() === now.toDateString() ? time.format(date) : dateTime.format(date);
}
