// Shared class lists for the few primitives every screen uses.

export const inputClass =
  'w-full rounded border border-neutral-700 bg-neutral-900 px-2 py-1 text-sm text-neutral-100 placeholder:text-neutral-500 ' +
  'focus:border-sky-500 focus:outline-none focus:ring-1 focus:ring-sky-500 aria-[invalid=true]:border-red-500 disabled:opacity-50';

export const selectClass = inputClass;

export const checkboxClass = 'size-3.5 rounded border-neutral-600 bg-neutral-900 accent-sky-500';

export const labelClass = 'block text-xs font-medium text-neutral-300';

const buttonBase =
  'inline-flex items-center justify-center gap-1.5 rounded px-2.5 py-1 text-sm font-medium transition-colors ' +
  'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-offset-1 focus-visible:ring-offset-neutral-950 ' +
  'disabled:cursor-not-allowed disabled:opacity-50';

export const buttonClass = {
  primary: `${buttonBase} bg-sky-600 text-white hover:bg-sky-500`,
  secondary: `${buttonBase} border border-neutral-700 bg-neutral-800 text-neutral-100 hover:bg-neutral-700`,
  ghost: `${buttonBase} text-neutral-300 hover:bg-neutral-800 hover:text-neutral-100`,
  danger: `${buttonBase} border border-red-900 bg-red-950 text-red-200 hover:bg-red-900`,
} as const;

export const iconButtonClass =
  'inline-flex size-6 items-center justify-center rounded text-neutral-400 hover:bg-neutral-800 hover:text-neutral-100 ' +
  'focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-500';
