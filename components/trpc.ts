// Typed tRPC hooks for client components: useTRPC() gives query/mutation
// options for react-query, useTRPCClient() the raw client.
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@/server/api/root';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
