'use client';
// Schedules & triggers of one pipeline: its parameters, a run with values,
// schedules, "when another pipeline succeeds" triggers, the webhook and backfills.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { FormError } from '@/components/ui/form-error';
import { buttonClass, inputClass, labelClass, selectClass } from '@/components/ui/styles';

type Values = Record<string, string>;

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-3 rounded border border-neutral-800 p-4">
      <h2 className="text-sm font-semibold text-neutral-200">{title}</h2>
      {children}
    </section>
  );
}

const when = (d: Date | string | null | undefined) => (d ? new Date(d).toLocaleString() : '—');

/** Only filled-in values are sent; the others take their defaults. */
const filled = (values: Values) => Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));

export function SchedulesPanel({ pipelineId }: { pipelineId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.schedule.list.queryOptions({ pipelineId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.schedule.list.queryKey({ pipelineId }) });
  const onSuccess = { onSuccess: refresh };

  const [runValues, setRunValues] = useState<Values>({});
  const [paramsJson, setParamsJson] = useState<string | null>(null);
  const [timing, setTiming] = useState({ kind: 'preset' as 'preset' | 'cron' | 'interval', preset: 'daily' as 'hourly' | 'daily' | 'weekly', cron: '0 6 * * 1-5', timeZone: 'UTC', intervalSeconds: '3600' });
  const [policy, setPolicy] = useState<'skip' | 'catchUpOnce'>('skip');
  const [downstream, setDownstream] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [backfill, setBackfill] = useState({ start: '', end: '', granularity: 'day' as 'day' | 'hour', parameterName: '', maxConcurrentRuns: '2' });

  const startRun = useMutation(trpc.run.start.mutationOptions());
  const setParameters = useMutation(trpc.schedule.setParameters.mutationOptions({ onSuccess: async () => { setParamsJson(null); await refresh(); } }));
  const create = useMutation(trpc.schedule.create.mutationOptions(onSuccess));
  const pause = useMutation(trpc.schedule.pause.mutationOptions(onSuccess));
  const resume = useMutation(trpc.schedule.resume.mutationOptions(onSuccess));
  const remove = useMutation(trpc.schedule.delete.mutationOptions(onSuccess));
  const fireNow = useMutation(trpc.schedule.fireNow.mutationOptions(onSuccess));
  const createTrigger = useMutation(trpc.schedule.createTrigger.mutationOptions(onSuccess));
  const deleteTrigger = useMutation(trpc.schedule.deleteTrigger.mutationOptions(onSuccess));
  const issueToken = useMutation(trpc.schedule.issueWebhookToken.mutationOptions({ onSuccess: async (r) => { setToken(r.token); await refresh(); } }));
  const revokeToken = useMutation(trpc.schedule.revokeWebhookToken.mutationOptions({ onSuccess: async () => { setToken(null); await refresh(); } }));
  const createBackfill = useMutation(trpc.schedule.createBackfill.mutationOptions(onSuccess));

  if (list.isPending) return <p className="text-sm text-neutral-400">Loading…</p>;
  if (list.error) return <FormError message={errorMessage(list.error, 'Could not load the schedules')} />;
  const data = list.data;
  const scheduleAction = [pause, resume, remove, fireNow].find((m) => m.error);

  return (
    <div className="space-y-6">
      <Section title="Parameters">
        {data.parameters.length === 0 ? (
          <p className="text-sm text-neutral-400">No parameters. Declare some to use them in node settings as {'{{params.name}}'}.</p>
        ) : (
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              startRun.mutate({ pipelineId, parameters: filled(runValues) });
            }}
          >
            {data.parameters.map((p) => (
              <div key={p.name} className="grid grid-cols-[10rem_1fr] items-center gap-2">
                <label htmlFor={`param-${p.name}`} className={labelClass}>
                  {p.name} <span className="text-neutral-500">({p.type})</span>
                </label>
                <input
                  id={`param-${p.name}`}
                  className={inputClass}
                  value={runValues[p.name] ?? ''}
                  placeholder={p.default === undefined ? 'required' : `default: ${String(p.default)}`}
                  onChange={(e) => setRunValues({ ...runValues, [p.name]: e.target.value })}
                />
              </div>
            ))}
            <button type="submit" className={buttonClass.primary} disabled={startRun.isPending}>
              Run with these values
            </button>
            {startRun.data && <p className="text-xs text-emerald-400">Run {startRun.data.runId} queued.</p>}
            <FormError message={startRun.error ? errorMessage(startRun.error, 'Could not start the run') : null} />
          </form>
        )}
        {paramsJson === null ? (
          <button type="button" className={buttonClass.ghost} onClick={() => setParamsJson(JSON.stringify(data.parameters, null, 2))}>
            Edit declarations
          </button>
        ) : (
          <div className="space-y-2">
            <p className="text-xs text-neutral-400">
              A JSON list of {'{ "name", "type": string | integer | float | boolean | date | timestamp, "default"? }'}.
            </p>
            <textarea aria-label="Parameter declarations" className={`${inputClass} h-40 font-mono`} value={paramsJson} onChange={(e) => setParamsJson(e.target.value)} />
            <div className="flex gap-2">
              <button
                type="button"
                className={buttonClass.primary}
                onClick={() => {
                  try {
                    setParameters.mutate({ pipelineId, parameters: JSON.parse(paramsJson) as never });
                  } catch {
                    setParameters.reset();
                  }
                }}
              >
                Save as a new version
              </button>
              <button type="button" className={buttonClass.ghost} onClick={() => setParamsJson(null)}>
                Cancel
              </button>
            </div>
            <FormError message={setParameters.error ? errorMessage(setParameters.error, 'Could not save the parameters') : null} />
          </div>
        )}
      </Section>

      <Section title="Schedules">
        {data.schedules.length > 0 && (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-neutral-400">
              <tr>
                <th className="py-1">When</th>
                <th>Missed runs</th>
                <th>Last fired</th>
                <th>Next</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.schedules.map((s) => (
                <tr key={s.id} className="border-t border-neutral-800">
                  <td className="py-1">
                    {s.kind === 'interval' ? `every ${s.intervalSeconds ?? '?'} s` : `${s.preset ?? s.cron ?? ''} (${s.timeZone})`}
                    {s.paused && <span className="ml-2 text-xs text-amber-400">paused</span>}
                  </td>
                  <td>{s.missedRunPolicy === 'skip' ? 'skip' : 'catch up once'}</td>
                  <td>{when(s.lastFiredAt)}</td>
                  <td>{when(s.nextFirings[0])}</td>
                  <td className="flex justify-end gap-1 py-1">
                    {s.paused ? (
                      <button type="button" className={buttonClass.secondary} onClick={() => resume.mutate({ scheduleId: s.id })}>
                        Resume
                      </button>
                    ) : (
                      <button type="button" className={buttonClass.secondary} onClick={() => pause.mutate({ scheduleId: s.id })}>
                        Pause
                      </button>
                    )}
                    <button type="button" className={buttonClass.ghost} onClick={() => fireNow.mutate({ scheduleId: s.id })}>
                      Run now
                    </button>
                    <button type="button" className={buttonClass.danger} onClick={() => remove.mutate({ scheduleId: s.id })}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <FormError message={scheduleAction?.error ? errorMessage(scheduleAction.error, 'The schedule could not be changed') : null} />
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            const t =
              timing.kind === 'interval'
                ? { kind: 'interval' as const, intervalSeconds: Number(timing.intervalSeconds) }
                : timing.kind === 'preset'
                  ? { kind: 'preset' as const, preset: timing.preset, timeZone: timing.timeZone }
                  : { kind: 'cron' as const, cron: timing.cron, timeZone: timing.timeZone };
            create.mutate({ pipelineId, timing: t, missedRunPolicy: policy });
          }}
        >
          <label className={labelClass}>
            Kind
            <select className={selectClass} value={timing.kind} onChange={(e) => setTiming({ ...timing, kind: e.target.value as typeof timing.kind })}>
              <option value="preset">Preset</option>
              <option value="cron">Cron</option>
              <option value="interval">Interval</option>
            </select>
          </label>
          {timing.kind === 'preset' && (
            <label className={labelClass}>
              Every
              <select className={selectClass} value={timing.preset} onChange={(e) => setTiming({ ...timing, preset: e.target.value as typeof timing.preset })}>
                <option value="hourly">hour</option>
                <option value="daily">day (00:00)</option>
                <option value="weekly">week (Monday 00:00)</option>
              </select>
            </label>
          )}
          {timing.kind === 'cron' && (
            <label className={labelClass}>
              Cron (5 fields)
              <input className={`${inputClass} font-mono`} value={timing.cron} onChange={(e) => setTiming({ ...timing, cron: e.target.value })} />
            </label>
          )}
          {timing.kind !== 'interval' ? (
            <label className={labelClass}>
              Time zone
              <input className={inputClass} value={timing.timeZone} onChange={(e) => setTiming({ ...timing, timeZone: e.target.value })} placeholder="Europe/Berlin" />
            </label>
          ) : (
            <label className={labelClass}>
              Seconds
              <input className={inputClass} type="number" min={1} value={timing.intervalSeconds} onChange={(e) => setTiming({ ...timing, intervalSeconds: e.target.value })} />
            </label>
          )}
          <label className={labelClass}>
            Missed runs
            <select className={selectClass} value={policy} onChange={(e) => setPolicy(e.target.value as typeof policy)}>
              <option value="skip">skip</option>
              <option value="catchUpOnce">catch up once</option>
            </select>
          </label>
          <button type="submit" className={buttonClass.primary} disabled={create.isPending}>
            Add schedule
          </button>
        </form>
        <FormError message={create.error ? errorMessage(create.error, 'Could not add the schedule') : null} />
      </Section>

      <Section title="When another pipeline succeeds">
        <ul className="space-y-1 text-sm">
          {data.triggeredBy.map((t) => (
            <li key={t.id} className="flex items-center justify-between">
              <span>Runs after “{t.pipeline.name}” succeeds</span>
              <button type="button" className={buttonClass.ghost} onClick={() => deleteTrigger.mutate({ triggerId: t.id })}>
                Remove
              </button>
            </li>
          ))}
          {data.triggers.map((t) => (
            <li key={t.id} className="flex items-center justify-between">
              <span>Starts “{t.pipeline.name}” when it succeeds</span>
              <button type="button" className={buttonClass.ghost} onClick={() => deleteTrigger.mutate({ triggerId: t.id })}>
                Remove
              </button>
            </li>
          ))}
        </ul>
        <div className="flex items-end gap-2">
          <label className={labelClass}>
            Run this pipeline after
            <select className={selectClass} value={downstream} onChange={(e) => setDownstream(e.target.value)}>
              <option value="">choose a pipeline…</option>
              {data.otherPipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className={buttonClass.secondary} disabled={!downstream} onClick={() => createTrigger.mutate({ upstreamPipelineId: downstream, downstreamPipelineId: pipelineId })}>
            Add trigger
          </button>
        </div>
        <FormError message={createTrigger.error ? errorMessage(createTrigger.error, 'Could not add the trigger') : null} />
      </Section>

      <Section title="Webhook">
        <p className="text-sm text-neutral-400">
          POST /api/hooks/{pipelineId} with “Authorization: Bearer &lt;token&gt;” and an optional body {'{"parameters": {…}}'}.
        </p>
        {data.webhook ? <p className="text-sm">Token {data.webhook.tokenPrefix}… (last set {when(data.webhook.rotatedAt)})</p> : <p className="text-sm text-neutral-400">No token yet.</p>}
        {token && (
          <p className="rounded border border-amber-800 bg-amber-950 p-2 font-mono text-xs break-all text-amber-100">
            {token}
            <span className="mt-1 block font-sans text-amber-300">Copy it now: it is not stored and will not be shown again.</span>
          </p>
        )}
        <div className="flex gap-2">
          <button type="button" className={buttonClass.secondary} onClick={() => issueToken.mutate({ pipelineId })}>
            {data.webhook ? 'Rotate token' : 'Create token'}
          </button>
          {data.webhook && (
            <button type="button" className={buttonClass.danger} onClick={() => revokeToken.mutate({ pipelineId })}>
              Revoke
            </button>
          )}
        </div>
      </Section>

      <Section title="Backfill">
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            createBackfill.mutate({ pipelineId, start: new Date(backfill.start), end: new Date(backfill.end), granularity: backfill.granularity, parameterName: backfill.parameterName, maxConcurrentRuns: Number(backfill.maxConcurrentRuns) });
          }}
        >
          <label className={labelClass}>
            From
            <input className={inputClass} type="date" required value={backfill.start} onChange={(e) => setBackfill({ ...backfill, start: e.target.value })} />
          </label>
          <label className={labelClass}>
            To (included)
            <input className={inputClass} type="date" required value={backfill.end} onChange={(e) => setBackfill({ ...backfill, end: e.target.value })} />
          </label>
          <label className={labelClass}>
            One run per
            <select className={selectClass} value={backfill.granularity} onChange={(e) => setBackfill({ ...backfill, granularity: e.target.value as 'day' | 'hour' })}>
              <option value="day">day</option>
              <option value="hour">hour</option>
            </select>
          </label>
          <label className={labelClass}>
            Into parameter
            <select className={selectClass} required value={backfill.parameterName} onChange={(e) => setBackfill({ ...backfill, parameterName: e.target.value })}>
              <option value="">choose…</option>
              {data.parameters.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name} ({p.type})
                </option>
              ))}
            </select>
          </label>
          <label className={labelClass}>
            At once
            <input className={inputClass} type="number" min={1} max={100} value={backfill.maxConcurrentRuns} onChange={(e) => setBackfill({ ...backfill, maxConcurrentRuns: e.target.value })} />
          </label>
          <button type="submit" className={buttonClass.primary} disabled={createBackfill.isPending}>
            Start backfill
          </button>
        </form>
        <FormError message={createBackfill.error ? errorMessage(createBackfill.error, 'Could not start the backfill') : null} />
        <ul className="space-y-1 text-sm">
          {data.backfills.map((b) => (
            <li key={b.id}>
              {when(b.rangeStart)} – {when(b.rangeEnd)} by {b.granularity}: {b.byStatus.succeeded ?? 0}/{b.runs} succeeded, {b.byStatus.running ?? 0} running, {b.byStatus.failed ?? 0} failed (at most {b.maxConcurrentRuns} at once)
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
