'use client';
// The run's log as it is written: live lines from the run view (the event
// stream), the newest page from run.logs for a run not followed live, older
// pages on demand. Follows the end while the reader is there; scrolling up
// holds it still until they jump back.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useTRPC } from '@/components/trpc';
import { errorMessage } from '@/components/ui/errors';
import { createLogWindow, filterLines, jumpToLatest, pause, receiveLatestPage, receiveNewer, receiveOlder, type LogWindow, type TailLine } from './log-window';
import type { LogLevel } from './run-types';
import { useRunView } from './run-view-store';

/** Lines per page asked from the server. */
const PAGE_LINES = 500;
/** Closer to the end than this (px) counts as at the end. */
const AT_END_PX = 16;
const LEVELS: readonly LogLevel[] = ['info', 'warn', 'error'];

interface Page {
  lines: { id: string; at: Date; level: LogLevel; message: string; nodeId: string | null }[];
  olderCursor: string | null;
}

type Action = { type: 'newer'; lines: readonly TailLine[]; olderExist: boolean } | { type: 'latest'; page: Page } | { type: 'older'; page: Page } | { type: 'pause' } | { type: 'jump' };

const toTail = (page: Page) => ({ lines: page.lines.map((l) => ({ ...l, at: l.at.getTime() })), olderCursor: page.olderCursor });

function reduce(w: LogWindow, action: Action): LogWindow {
  switch (action.type) {
    case 'newer':
      return receiveNewer(w, action.lines, { olderExist: action.olderExist });
    case 'latest':
      return receiveLatestPage(w, toTail(action.page));
    case 'older':
      return receiveOlder(w, toTail(action.page));
    case 'pause':
      return pause(w);
    case 'jump':
      return jumpToLatest(w);
  }
}

const levelStyles: Record<LogLevel, string> = { info: 'text-neutral-400', warn: 'text-amber-300', error: 'text-red-300' };
const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false });

export interface LogTailStage {
  stageId: string;
  nodeIds: readonly string[];
  label: string;
}

/** Mount with `key={runId}`: a window belongs to one run. */
export function LogTail({ runId, stages, labelOf }: { runId: string; stages: readonly LogTailStage[]; labelOf: (nodeId: string) => string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tail, dispatch] = useReducer(reduce, undefined, () => createLogWindow());
  const [levels, setLevels] = useState<readonly LogLevel[]>([]);
  const [stageId, setStageId] = useState('');
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);

  const live = useRunView((s) => (s.view.runId === runId ? s.view.logs : null));
  const liveTrimmed = useRunView((s) => s.view.runId === runId && s.view.logsTrimmed);
  useEffect(() => {
    if (live && live.length > 0) dispatch({ type: 'newer', lines: live, olderExist: liveTrimmed });
  }, [live, liveTrimmed]);
  const latest = useQuery(trpc.run.logs.queryOptions({ runId, limit: PAGE_LINES }, { staleTime: Infinity, refetchOnWindowFocus: false }));
  useEffect(() => {
    if (latest.data) dispatch({ type: 'latest', page: latest.data });
  }, [latest.data]);

  // Lines name a node, or the stage itself (its id) for what the stage as a whole reports.
  const stage = stages.find((s) => s.stageId === stageId);
  const nodeIds = useMemo(() => (stage ? [...stage.nodeIds, stage.stageId] : null), [stage]);
  const shown = useMemo(() => filterLines(tail.lines, { levels, nodeIds }), [tail.lines, levels, nodeIds]);

  // Follow the end; keep the reader's place when older lines are put above it.
  const scroller = useRef<HTMLOListElement>(null);
  const before = useRef<{ firstId: string | undefined; height: number }>({ firstId: undefined, height: 0 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = tail.lines[0]?.id;
    if (!tail.paused) el.scrollTop = el.scrollHeight;
    else if (firstId !== before.current.firstId && before.current.firstId !== undefined) el.scrollTop += el.scrollHeight - before.current.height;
    before.current = { firstId, height: el.scrollHeight };
  }, [shown, tail.paused, tail.lines]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_END_PX;
    if (!atEnd && !tail.paused) dispatch({ type: 'pause' });
    else if (atEnd && tail.paused && tail.newer.length === 0 && !tail.newerGap) dispatch({ type: 'jump' });
  };

  const loadOlder = async () => {
    const first = tail.lines[0];
    if (!first || loadingOlder) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await queryClient.query(trpc.run.logs.queryOptions({ runId, before: first.id, limit: PAGE_LINES }, { staleTime: Infinity }));
      dispatch({ type: 'pause' });
      dispatch({ type: 'older', page });
    } catch (error) {
      setOlderError(errorMessage(error, 'Could not load earlier lines'));
    } finally {
      setLoadingOlder(false);
    }
  };

  const toggleLevel = (level: LogLevel) => setLevels((current) => (current.includes(level) ? current.filter((l) => l !== level) : [...current, level]));

  return (
    <section className="border-t border-neutral-800 pt-2" aria-label="Run log" data-testid="log-tail">
      <div className="flex flex-wrap items-center gap-1 pb-1">
        <h3 className="mr-auto font-semibold text-neutral-400">Log</h3>
        <div role="group" aria-label="Levels shown" className="flex gap-0.5">
          {LEVELS.map((level) => (
            <button
              key={level}
              type="button"
              aria-pressed={levels.includes(level)}
              onClick={() => toggleLevel(level)}
              className={`rounded px-1.5 py-px text-[11px] ${levels.includes(level) ? 'bg-neutral-700 text-neutral-100' : 'text-neutral-500 hover:text-neutral-300'}`}
            >
              {level}
            </button>
          ))}
        </div>
        <label className="sr-only" htmlFor={`log-stage-${runId}`}>
          Stage
        </label>
        <select
          id={`log-stage-${runId}`}
          value={stageId}
          onChange={(e) => setStageId(e.target.value)}
          className="max-w-32 rounded border border-neutral-700 bg-neutral-900 px-1 py-px text-[11px] text-neutral-300"
        >
          <option value="">All stages</option>
          {stages.map((s) => (
            <option key={s.stageId} value={s.stageId}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="relative">
        <ol ref={scroller} onScroll={onScroll} role="log" aria-label="Log lines" className="h-48 space-y-0.5 overflow-y-auto font-mono text-[11px]" data-testid="run-log">
          {tail.hasOlder ? (
            <li>
              <button type="button" onClick={() => void loadOlder()} disabled={loadingOlder} className="text-sky-300 hover:text-sky-200 disabled:text-neutral-500">
                {loadingOlder ? 'Loading earlier lines…' : 'Load earlier lines'}
              </button>
              {olderError ? (
                <span role="alert" className="pl-2 text-red-300">
                  {olderError}
                </span>
              ) : null}
            </li>
          ) : null}
          {shown.map((line) => (
            <li key={line.id} className={`break-words ${levelStyles[line.level]}`} data-testid="log-line" data-level={line.level}>
              <time className="pr-1 text-neutral-600" dateTime={new Date(line.at).toISOString()}>
                {clock.format(line.at)}
              </time>
              {line.level !== 'info' ? <span className="pr-1 uppercase">{line.level}</span> : null}
              {line.nodeId ? <span className="pr-1 text-neutral-500">[{labelOf(line.nodeId)}]</span> : null}
              {line.message}
            </li>
          ))}
          {shown.length === 0 ? <li className="text-neutral-600">{tail.lines.length === 0 ? (latest.isPending ? 'Loading…' : 'No log lines yet.') : 'No lines match the filter.'}</li> : null}
        </ol>
        {tail.paused ? (
          <button
            type="button"
            onClick={() => dispatch({ type: 'jump' })}
            className="absolute right-3 bottom-2 rounded bg-sky-800 px-2 py-0.5 text-[11px] text-sky-100 shadow hover:bg-sky-700"
          >
            Jump to latest{tail.newer.length > 0 ? ` (${tail.newer.length}${tail.newerGap ? '+' : ''} new)` : ''}
          </button>
        ) : null}
      </div>
      {latest.error ? (
        <p role="alert" className="text-red-300">
          {errorMessage(latest.error, 'Could not load the log')}
        </p>
      ) : null}
    </section>
  );
}
