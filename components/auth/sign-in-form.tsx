'use client';
import { FormError } from '@/components/ui/form-error';
import { buttonClass } from '@/components/ui/styles';
import { authClient } from './auth-client';
import { AuthField } from './auth-field';
import { formText } from './form-text';
import { useAuthSubmit } from './use-auth-submit';

export function SignInForm() {
  const { error, pending, onSubmit } = useAuthSubmit(
    (form) => authClient.signIn.email({ email: formText(form, 'email'), password: formText(form, 'password') }),
    'Could not sign in',
  );

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
