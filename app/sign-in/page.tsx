import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/components/auth/auth-card';
import { SignInForm } from '@/components/auth/sign-in-form';
import { getServerSession } from '@/server/auth/session';

export const metadata: Metadata = { title: 'Sign in · Sluice' };

export default async function SignInPage() {
  if (await getServerSession()) redirect('/');
  return (
    <AuthCard title="Sign in" footer={{ text: 'No account yet?', href: '/sign-up', link: 'Sign up' }}>
      <SignInForm />
    </AuthCard>
  );
}
