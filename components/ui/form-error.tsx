/** An error under a form, announced to screen readers. */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" data-testid="form-error" className="rounded border border-red-900 bg-red-950/60 px-2.5 py-1.5 text-sm text-red-200">
      {message}
    </p>
  );
}
