import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ConnectionsManager } from '@/components/connections/connections-manager';
import { getServerSession } from '@/server/auth/session';

export default async function ConnectionsPage() {
  const session = await getServerSession();
  if (!session) redirect('/sign-in');
  return (
    <div className="min-h-dvh">
      <header className="flex items-center justify-between border-b border-neutral-800 px-6 py-3">
        <Link href="/" className="text-sm font-semibold tracking-wide text-sky-400">
          Sluice
        </Link>
        <span className="text-sm text-neutral-400">{session.user.email}</span>
      </header>
      <main className="mx-auto max-w-5xl space-y-6 px-6 py-8">
        <div className="space-y-1">
          <h1 className="text-lg font-semibold">Connections</h1>
          <p className="text-sm text-neutral-400">Databases your pipelines read from. Passwords are stored encrypted and never shown again.</p>
        </div>
        <ConnectionsManager />
      </main>
    </div>
  );
}
