import { connectionRouter } from './routers/connection';
import { pipelineRouter } from './routers/pipeline';
import { runRouter } from './routers/run';
import { scheduleRouter } from './routers/schedule';
import { workspaceRouter } from './routers/workspace';
import { createCallerFactory, router } from './trpc';

export const appRouter = router({
  workspace: workspaceRouter,
  pipeline: pipelineRouter,
  run: runRouter,
  connection: connectionRouter,
  schedule: scheduleRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
