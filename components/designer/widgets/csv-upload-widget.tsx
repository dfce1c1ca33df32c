'use client';
import { useState, type ChangeEvent } from 'react';
import { inputClass, labelClass } from '@/components/ui/styles';
import { readString } from './config-values';
import { acceptOf, uploadFile } from './upload-csv';
import type { FieldOf, WidgetProps } from './widget-types';

/** Uploads a file (CSV by default, or the field's format) and fills path and the settings read from it; the path can also be typed. */
export function CsvUploadWidget({ field, value, onChange, onMerge, inputId, describedBy, issues }: WidgetProps<FieldOf<'csvUpload'>>) {
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const path = readString(value);
  const format = field.format ?? 'csv';

  async function onFile(event: ChangeEvent<HTMLInputElement>) {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setUploading(true);
    setError(null);
    const result = await uploadFile(file, format);
    setUploading(false);
    input.value = '';
    if (result.ok) onMerge({ ...result.settings });
    else setError(result.message);
  }

  return (
    <>
      <label htmlFor={inputId} className={labelClass}>
        {field.label}
      </label>
      <input
        id={inputId}
        type="file"
        accept={acceptOf[format]}
        onChange={(event) => void onFile(event)}
        disabled={uploading}
        aria-describedby={describedBy}
        className="block w-full text-xs text-neutral-400 file:mr-2 file:rounded file:border file:border-neutral-700 file:bg-neutral-800 file:px-2 file:py-1 file:text-xs file:text-neutral-100 hover:file:bg-neutral-700"
      />
      {uploading ? <p className="text-xs text-neutral-400" role="status">Uploading and reading columns…</p> : null}
      {error ? (
        <p className="text-xs text-red-300" role="alert">
          {error}
        </p>
      ) : null}
      <label htmlFor={`${inputId}-path`} className={`${labelClass} pt-1`}>
        Path
      </label>
      <input
        id={`${inputId}-path`}
        type="text"
        className={`${inputClass} font-mono text-xs`}
        value={path}
        placeholder={format === 'excel' ? 'data/input.xlsx' : `data/input.${format}`}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={issues.length > 0}
        spellCheck={false}
        data-testid="csv-path"
      />
    </>
  );
}
