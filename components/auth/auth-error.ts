/** A better-auth error as a sentence; its messages are already written for people. */
export function authErrorMessage(error: { message?: string; status: number; statusText: string }, fallback: string): string {
  if (error.message) return error.message;
  if (error.status === 429) return 'Too many attempts. Wait a minute and try again.';
  return error.statusText ? `${fallback} (${error.statusText})` : fallback;
}
