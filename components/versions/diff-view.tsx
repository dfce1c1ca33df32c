'use client';
import type { NodeSummary, PipelineDiff } from '@/server/pipeline/diff';
import { isEmptyDiff } from '@/server/pipeline/diff';
import { settingFields } from '@/components/designer/pipeline/settings-fields';

const nodeName = (n: NodeSummary) => (n.label ? `${n.label} (${n.kind})` : `${n.id} (${n.kind})`);

const settingLabel = (key: string): string => settingFields.find((f) => f.key === key)?.label ?? key;

/** A setting's value as the form shows it: "no limit" for null, an option's label for a choice. */
function settingValue(key: string, value: unknown): string {
  if (value === null) return 'no limit';
  const field = settingFields.find((f) => f.key === key);
  const option = field?.spec.widget === 'select' ? field.spec.options.find((o) => o.value === value) : undefined;
  return option ? option.label : JSON.stringify(value);
}

/** A pipeline diff as lists of added, removed and changed nodes, connections, settings and parameters. */
export function DiffView({ diff }: { diff: PipelineDiff }) {
  if (isEmptyDiff(diff)) return <p className="text-xs text-neutral-400" data-testid="diff-empty">No differences.</p>;
  return (
    <ul className="space-y-1 text-xs" data-testid="diff-view">
      {diff.addedNodes.map((n) => (
        <li key={`+${n.id}`} data-testid={`diff-added-${n.id}`} className="text-emerald-300">
          + added {nodeName(n)}
        </li>
      ))}
      {diff.removedNodes.map((n) => (
        <li key={`-${n.id}`} data-testid={`diff-removed-${n.id}`} className="text-red-300">
          − removed {nodeName(n)}
        </li>
      ))}
      {diff.changedNodes.map((n) => {
        const parts = [
          n.configKeys.length > 0 ? `settings: ${n.configKeys.join(', ')}` : null,
          n.kindVersionChanged ? 'node version' : null,
          n.labelChanged ? 'label' : null,
          n.moved ? 'moved' : null,
        ].filter((p): p is string => p !== null);
        return (
          <li key={`~${n.id}`} data-testid={`diff-changed-${n.id}`} className={n.configKeys.length > 0 || n.kindVersionChanged ? 'text-amber-300' : 'text-neutral-400'}>
            ~ changed {nodeName(n)} — {parts.join('; ')}
          </li>
        );
      })}
      {diff.addedEdges.map((e) => (
        <li key={`+e${e.id}`} className="text-emerald-300/80">
          + connection {e.source} → {e.target}
        </li>
      ))}
      {diff.removedEdges.map((e) => (
        <li key={`-e${e.id}`} className="text-red-300/80">
          − connection {e.source} → {e.target}
        </li>
      ))}
      {diff.changedSettings.map((c) => (
        <li key={`s${c.key}`} data-testid={`diff-setting-${c.key}`} className="text-amber-300">
          ~ setting {settingLabel(c.key)}: {settingValue(c.key, c.before)} → {settingValue(c.key, c.after)}
        </li>
      ))}
      {diff.addedParameters.map((name) => (
        <li key={`+p${name}`} data-testid={`diff-parameter-added-${name}`} className="text-emerald-300">
          + parameter {name}
        </li>
      ))}
      {diff.removedParameters.map((name) => (
        <li key={`-p${name}`} data-testid={`diff-parameter-removed-${name}`} className="text-red-300">
          − parameter {name}
        </li>
      ))}
      {diff.changedParameters.map((p) => (
        <li key={`~p${p.name}`} data-testid={`diff-parameter-changed-${p.name}`} className="text-amber-300">
          ~ parameter {p.name} — {p.fields.join(', ')}
        </li>
      ))}
      {diff.parametersChanged && diff.addedParameters.length + diff.removedParameters.length + diff.changedParameters.length === 0 ? (
        <li className="text-neutral-400">~ parameters reordered</li>
      ) : null}
    </ul>
  );
}
