'use client';
import { useRouter } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { FormError } from '@/components/ui/form-error';
import { buttonClass } from '@/components/ui/styles';
import { authClient } from './auth-client';
import { AuthField } from './auth-field';
import { authErrorMessage } from './auth-error';
import { formText } from './form-text';

export function SignUpForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await authClient.signUp.email({
        name: formText(form, 'name').trim(),
        email: formText(form, 'email').trim(),
        password: formText(form, 'password'),
      });
      if (result.error) {
        setError(authErrorMessage(result.error, 'Could not create the account'));
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
      <AuthField id="name" label="Name" type="text" autoComplete="name" />
      <AuthField id="email" label="Email" type="email" autoComplete="email" />
      <AuthField id="password" label="Password" type="password" autoComplete="new-password" aria-describedby="password-hint" />
      <p id="password-hint" className="-mt-2 text-xs text-neutral-500">
        At least 8 characters.
      </p>
      <FormError message={error} />
      <button type="submit" className={`${buttonClass.primary} w-full py-1.5`} disabled={pending}>
        {pending ? 'Creating account…' : 'Create account'}
      </button>
    </form>
  );
}
