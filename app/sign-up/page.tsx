import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthCard } from '@/components/auth/auth-card';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { getServerSession } from '@/server/auth/session';

export const metadata: Metadata = { title: 'Create account · Sluice' };

export default async function SignUpPage() {
  if (await getServerSession()) redirect('/');
  return (
    <AuthCard title="Create your account" footer={{ text: 'Already have an account?', href: '/sign-in', link: 'Sign in' }}>
      <SignUpForm />
    </AuthCard>
  );
}
