'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { buttonClass } from '@/components/ui/styles';
import { authClient } from './auth-client';

export function SignOutButton() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    try {
      await authClient.signOut();
    } finally {
      queryClient.clear();
      router.replace('/sign-in');
      router.refresh();
    }
  }

  return (
    <button type="button" className={buttonClass.ghost} onClick={() => void signOut()} disabled={pending}>
      Sign out
    </button>
  );
}
