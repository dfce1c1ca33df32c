'use client';
import { ParametersSection } from './parameters-section';
import { SettingsSection } from './settings-section';

/** What belongs to the whole pipeline rather than one node: how runs behave, and the parameters they take. */
export function PipelinePanel() {
  return (
    <div className="space-y-5" data-testid="pipeline-panel">
      <div>
        <h2 className="text-sm font-semibold">Pipeline</h2>
        <p className="text-xs text-neutral-500">Settings for every run, and the parameters a run is given. Saved with the pipeline; undo covers them.</p>
      </div>
      <SettingsSection />
      <div className="border-t border-neutral-800 pt-3">
        <ParametersSection />
      </div>
    </div>
  );
}
