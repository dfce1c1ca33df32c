import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Designer } from '@/components/designer/designer';
import { getServerSession } from '@/server/auth/session';

export const metadata: Metadata = { title: 'Designer · Sluice' };

export default async function PipelinePage({ params }: { params: Promise<{ pipelineId: string }> }) {
  const session = await getServerSession();
  if (!session) redirect('/sign-in');
  const { pipelineId } = await params;
  return <Designer pipelineId={pipelineId} />;
}
