'use client';
import { FormError } from '@/components/ui/form-error';
import { buttonClass } from '@/components/ui/styles';
import { authClient } from './auth-client';
import { AuthField } from './auth-field';
import { formText } from './form-text';
import { useAuthSubmit } from './use-auth-submit';

export function SignUpForm() {
  const { error, pending, onSubmit } = useAuthSubmit(
    (form) =>
      authClient.signUp.email({
        name: formText(form, 'name').trim(),
        email: formText(form, 'email').trim(),
        password: formText(form, 'password'),
      }),
    'Could not create the account',
  );

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
