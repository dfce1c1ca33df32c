import { describe, expect, it } from 'vitest';
import { PipelineSettingsSchema } from '@/server/pipeline/model';
import { effectiveSettings, labelFromKey, settingFields, settingsIssues } from './settings-fields';

describe('settings form from the schema', () => {
  it('has one field per setting, with bounds, defaults and the schema’s descriptions as help', () => {
    expect(settingFields.map((f) => f.key)).toEqual(Object.keys(PipelineSettingsSchema.shape));
    const retries = settingFields.find((f) => f.key === 'stageRetries');
    expect(retries).toMatchObject({ label: 'Stage retries', nullable: false, defaultValue: 2, spec: { widget: 'number', integer: true, min: 0, max: 10, placeholder: 'Default: 2' } });
    expect(retries?.help).toMatch(/transient error/);
    expect(settingFields.find((f) => f.key === 'retryDelaySeconds')).toMatchObject({ label: 'Retry delay (seconds)', spec: { integer: false, min: 0, max: 3600 } });
    expect(settingFields.find((f) => f.key === 'stageTimeoutSeconds')).toMatchObject({ nullable: true, defaultValue: null, spec: { placeholder: 'No limit', min: 1 } });
    expect(settingFields.find((f) => f.key === 'onBranchFailure')?.spec).toEqual({
      widget: 'select',
      options: [
        { value: 'continueOthers', label: 'Keep running the other branches' },
        { value: 'stopAll', label: 'Stop the whole run' },
      ],
    });
    expect(settingFields.every((f) => f.help)).toBe(true);
  });

  it('turns keys into labels', () => {
    expect(labelFromKey('runTimeoutSeconds')).toBe('Run timeout (seconds)');
    expect(labelFromKey('stopAll')).toBe('Stop all');
  });

  it('explains a refused value in the field’s terms', () => {
    expect(settingsIssues({ stageRetries: 2 }).size).toBe(0);
    expect(settingsIssues(undefined).size).toBe(0);
    const issues = settingsIssues({ stageRetries: 11, stageTimeoutSeconds: 1.5, retryDelaySeconds: 0.5 });
    expect(Object.fromEntries(issues)).toEqual({
      stageRetries: 'Stage retries must be a whole number from 0 to 10; 11 is not.',
      stageTimeoutSeconds: 'Stage timeout (seconds) must be a whole number from 1 to 604800, or empty for no limit; 1.5 is not.',
    });
  });

  it('fills defaults for what is not set', () => {
    expect(effectiveSettings({ stageRetries: 0 })).toEqual({ stageRetries: 0, retryDelaySeconds: 2, stageTimeoutSeconds: null, runTimeoutSeconds: null, maxConcurrentRuns: null, onBranchFailure: 'continueOthers' });
  });
});
