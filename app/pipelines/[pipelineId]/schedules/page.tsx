import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SchedulesPanel } from '@/components/schedules/schedules-panel';
import { getServerSession } from '@/server/auth/session';

export const metadata: Metadata = { title: 'Schedules & triggers · Sluice' };

export default async function SchedulesPage({ params }: { params: Promise<{ pipelineId: string }> }) {
  const session = await getServerSession();
  if (!session) redirect('/sign-in');
  const { pipelineId } = await params;
  return (
    <div className="min-h-dvh">
      <header className="flex items-center gap-3 border-b border-neutral-800 px-6 py-3 text-sm">
        <Link href="/" className="font-semibold tracking-wide text-sky-400">
          Sluice
        </Link>
        <Link href={`/pipelines/${pipelineId}`} className="text-neutral-400 hover:text-neutral-100">
          ← Designer
        </Link>
      </header>
      <main className="mx-auto max-w-5xl space-y-4 px-6 py-8">
        <h1 className="text-lg font-semibold">Schedules &amp; triggers</h1>
        <SchedulesPanel pipelineId={pipelineId} />
      </main>
    </div>
  );
}
