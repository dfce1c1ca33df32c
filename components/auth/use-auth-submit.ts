'use client';
import { useRouter } from 'next/navigation';
import { useState, type SubmitEvent } from 'react';
import { authErrorMessage } from './auth-error';

type AuthResult = { error: { message?: string; status: number; statusText: string } | null };

/** Submits an auth form, shows better-auth's error or goes home signed in. */
export function useAuthSubmit(submit: (form: FormData) => Promise<AuthResult>, failure: string) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const result = await submit(form);
      if (result.error) {
        setError(authErrorMessage(result.error, failure));
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

  return { error, pending, onSubmit };
}
