'use client';
import { useRouter } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { FormError } from '@/components/ui/form-error';
import { buttonClass } from '@/components/ui/styles';
import { authClient } from './auth-client';
import { AuthField } from './auth-field';
import { authErrorMessage } from './auth-error';
import { formText } from './form-text';

export function SignInForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await authClient.signIn.email({ email: formText(form, 'email'), password: formText(form, 'password') });
      if (result.error) {
        setError(authErrorMessage(result.error, 'Could not sign in'));
        return;
      }
      router.replace('/');
      router.refresh();
    } catch {
      setError('Could not reach the server. Check your connection and try again.');
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={(event) => void onSubmit(event)} className="space-y-4">
      <AuthField id="email" label="Email" type="email" autoComplete="email" />
      <AuthField id="password" label="Password" type="password" autoComplete="current-password" />
      <FormError message={error} />
      <button type="submit" className={`${buttonClass.primary} w-full py-1.5`} disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
