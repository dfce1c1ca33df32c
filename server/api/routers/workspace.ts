import { protectedProcedure, router } from '../trpc';

export const workspaceRouter = router({
  current: protectedProcedure.query(({ ctx }) => ctx.workspace),
});
