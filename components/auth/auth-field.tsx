import type { InputHTMLAttributes } from 'react';
import { inputClass, labelClass } from '@/components/ui/styles';

/** A labelled input for the sign-in and sign-up forms. */
export function AuthField({ id, label, ...input }: { id: string; label: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <input id={id} name={id} className={`${inputClass} py-1.5`} required {...input} />
    </div>
  );
}
