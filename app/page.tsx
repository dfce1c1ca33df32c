import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { NewPipelineForm } from '@/components/pipelines/new-pipeline-form';
import { PipelineList } from '@/components/pipelines/pipeline-list';
import { WorkspaceName } from '@/components/pipelines/workspace-name';
import { getServerSession } from '@/server/auth/session';

export default async function HomePage() {
  const session = await getServerSession();
  if (!session) redirect('/sign-in');
  return (
    <div className="min-h-dvh">
      <header className="flex items-center justify-between border-b border-neutral-800 px-6 py-3">
        <div className="flex items-baseline gap-3">
          <span className="text-sm font-semibold tracking-wide text-sky-400">Sluice</span>
          <WorkspaceName />
        </div>
        <div className="flex items-center gap-3 text-sm text-neutral-400">
          <Link href="/connections" className="hover:text-neutral-100">
            Connections
          </Link>
          <span>{session.user.email}</span>
          <SignOutButton />
        </div>
      </header>
      <main className="mx-auto max-w-5xl space-y-8 px-6 py-8">
        <section className="space-y-3">
          <h1 className="text-lg font-semibold">Pipelines</h1>
          <PipelineList />
        </section>
        <section className="space-y-3">
          <h2 className="text-sm font-semibold text-neutral-300">New pipeline</h2>
          <NewPipelineForm />
        </section>
      </main>
    </div>
  );
}
