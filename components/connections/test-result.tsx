export type TestAnswer = { pending: true } | { ok: true; version: string; elapsedMs: number } | { ok: false; message: string };

/** The outcome of a connection test, announced to screen readers. */
export function TestResult({ answer }: { answer: TestAnswer | undefined }) {
  if (!answer) return null;
  if ('pending' in answer) {
    return (
      <p role="status" className="text-xs text-neutral-400">
        Connecting…
      </p>
    );
  }
  if (answer.ok) {
    return (
      <p role="status" className="text-xs text-emerald-300" data-testid="test-ok">
        Connected in {answer.elapsedMs} ms · {answer.version}
      </p>
    );
  }
  return (
    <p role="alert" className="text-xs text-red-300" data-testid="test-failed">
      {answer.message}
    </p>
  );
}
