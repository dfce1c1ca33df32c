import Link from 'next/link';
import type { ReactNode } from 'react';

/** The frame around the sign-in and sign-up forms. */
export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: { text: string; href: string; link: string } }) {
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <div className="w-full max-w-sm space-y-6">
        <div className="space-y-1 text-center">
          <p className="text-sm font-semibold tracking-wide text-sky-400">Sluice</p>
          <h1 className="text-xl font-semibold">{title}</h1>
        </div>
        <div className="rounded-lg border border-neutral-800 bg-neutral-900/60 p-5">{children}</div>
        <p className="text-center text-sm text-neutral-400">
          {footer.text}{' '}
          <Link href={footer.href} className="font-medium text-sky-400 hover:text-sky-300">
            {footer.link}
          </Link>
        </p>
      </div>
    </main>
  );
}
