'use client';
// Keeps the displayed run's status current: one snapshot from run.get, then
// live events from run.events applied once per animation frame. Renders nothing.
import { skipToken, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useTRPC } from '@/components/trpc';
import { createFrameBatcher } from './frame-batcher';
import { isTerminalRunStatus, type RunEvent } from './run-types';
import { useRunView, useRunViewApi } from './run-view-store';

interface ReceivedEvent {
  runId: string;
  event: RunEvent;
}

export function RunFollower({ pipelineId }: { pipelineId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const runView = useRunViewApi();
  const runId = useRunView((s) => s.view.runId);
  const live = useRunView((s) => s.view.runId !== null && !isTerminalRunStatus(s.view.status));

  // Opening a pipeline while it runs: follow that run, once.
  const runs = useQuery(trpc.run.list.queryOptions({ pipelineId }));
  const autoFollowed = useRef(false);
  useEffect(() => {
    const latest = runs.data?.[0];
    if (autoFollowed.current || !latest) return;
    autoFollowed.current = true;
    if (!isTerminalRunStatus(latest.status) && runView.getState().view.runId === null) runView.getState().show(latest.id, latest.status);
  }, [runs.data, runView]);

  // The snapshot: stage statuses so far (all of them, for a finished run).
  const snapshot = useQuery(trpc.run.get.queryOptions(runId ? { runId } : skipToken, { refetchOnWindowFocus: false }));
  useEffect(() => {
    if (snapshot.data) runView.getState().applySnapshot(snapshot.data);
  }, [snapshot.data, runView]);

  // The list (polled while runs are active) can learn that the run ended before its
  // event arrives, or when the stream missed it: the snapshot must not stay behind,
  // since what the run offers once over (resume, reprocess) comes from it.
  const listedStatus = runs.data?.find((r) => r.id === runId)?.status;
  const snapshotStatus = snapshot.data?.status;
  useEffect(() => {
    if (!runId || !listedStatus || !snapshotStatus || snapshot.isFetching) return;
    if (isTerminalRunStatus(listedStatus) && listedStatus !== snapshotStatus) void queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId }) });
  }, [runId, listedStatus, snapshotStatus, snapshot.isFetching, queryClient, trpc]);

  const deliver = useCallback(
    (received: ReceivedEvent[]) => {
      const byRun = new Map<string, RunEvent[]>();
      for (const { runId: id, event } of received) {
        const list = byRun.get(id);
        if (list) list.push(event);
        else byRun.set(id, [event]);
      }
      for (const [id, events] of byRun) {
        runView.getState().applyEvents(id, events);
        // The run's own status changed: the list shows it.
        const statuses = events.flatMap((e) => (e.type === 'run' ? [e.status] : []));
        if (statuses.length > 0) void queryClient.invalidateQueries({ queryKey: trpc.run.list.queryKey({ pipelineId }) });
        // Once it is over, or when a stage appears that the snapshot did not list yet (it was taken before
        // the run was planned), refresh its stages: the stage list and the timeline need every stage.
        const known = queryClient.getQueryData(trpc.run.get.queryKey({ runId: id }))?.stages;
        const unlisted = known !== undefined && events.some((e) => e.type === 'stage' && !known.some((s) => s.stageId === e.stageId));
        if (unlisted || statuses.some(isTerminalRunStatus)) void queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId: id }) });
      }
    },
    [runView, queryClient, trpc, pipelineId],
  );
  const batcher = useMemo(() => createFrameBatcher(deliver), [deliver]);
  useEffect(() => () => batcher.flush(), [batcher]);

  useSubscription(
    trpc.run.events.subscriptionOptions(live && runId ? { runId } : skipToken, {
      onData: (tracked) => {
        const event: RunEvent = { ...tracked.data, id: tracked.id };
        if (runId) batcher.push({ runId, event });
      },
    }),
  );

  return null;
}
