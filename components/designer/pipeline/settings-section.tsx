'use client';
import { useId } from 'react';
import { PipelineSettingsSchema } from '@/server/pipeline/model';
import { ScalarControl } from '../widgets/scalar-control';
import { useDesignerStore } from '../store-context';
import { settingFields, settingsIssues, type SettingField } from './settings-fields';

const branchPolicy = PipelineSettingsSchema.shape.onBranchFailure.unwrap();

function SettingRow({ field, value, issue }: { field: SettingField; value: unknown; issue: string | undefined }) {
  const id = useId();
  const setSetting = useDesignerStore((s) => s.setSetting);
  const helpId = `${id}-help`;
  const issueId = `${id}-issue`;

  function onChange(next: unknown) {
    if (next === undefined || next === '') setSetting(field.key, undefined);
    else if (field.key === 'onBranchFailure') {
      const parsed = branchPolicy.safeParse(next);
      if (parsed.success) setSetting(field.key, parsed.data);
    } else if (typeof next === 'number') setSetting(field.key, next);
  }

  return (
    <div className="space-y-1" data-setting={field.key} data-invalid={issue ? 'true' : undefined}>
      <ScalarControl
        spec={field.spec}
        nodeId=""
        value={value ?? (field.spec.widget === 'select' ? field.defaultValue : undefined)}
        onChange={onChange}
        id={id}
        label={field.label}
        describedBy={issue ? `${helpId} ${issueId}` : helpId}
        invalid={issue !== undefined}
      />
      {field.help ? (
        <p id={helpId} className="text-xs text-neutral-500">
          {field.help}
        </p>
      ) : null}
      {issue ? (
        <p id={issueId} className="text-xs text-red-300" data-testid="setting-error">
          {issue}
        </p>
      ) : null}
    </div>
  );
}

/** How runs behave under failure and load; an empty field takes the default shown as its placeholder. */
export function SettingsSection() {
  const settings = useDesignerStore((s) => s.settings);
  const issues = settingsIssues(settings);
  return (
    <section className="space-y-3" aria-labelledby="pipeline-settings-heading" data-testid="pipeline-settings">
      <h3 id="pipeline-settings-heading" className="text-xs font-semibold tracking-wide text-neutral-400 uppercase">
        Settings
      </h3>
      {settingFields.map((field) => (
        <SettingRow key={field.key} field={field} value={settings?.[field.key]} issue={issues.get(field.key)} />
      ))}
    </section>
  );
}
