// Secrets in node settings. A token typed into a form would be stored in the
// pipeline document in plain text, so secret fields hold a reference to an
// environment variable the administrator sets instead: {{env:SLUICE_SECRET_X}}.
// Only variables named SLUICE_SECRET_… can be referenced, so a pipeline cannot
// send the server's own settings (database URL, auth secret) to a remote host.

export const secretEnvPrefix = 'SLUICE_SECRET_';

const referencePattern = /\{\{env:([A-Za-z0-9_]+)\}\}/g;
const wholeReferencePattern = /^\{\{env:([A-Za-z0-9_]+)\}\}$/;

export const secretReferenceHint = `Enter a reference such as {{env:${secretEnvPrefix}API_TOKEN}} to an environment variable set on the server; secrets typed here would be stored in the pipeline in plain text`;

/** Names of the variables `text` refers to. */
export function secretReferences(text: string): string[] {
  return [...text.matchAll(referencePattern)].map((m) => m[1] ?? '');
}

/** Whether `text` is exactly one reference (what a secret field must hold). */
export function isSecretReference(text: string): boolean {
  return wholeReferencePattern.test(text.trim());
}

/** A problem with the references in `text`, or undefined when every one names an allowed variable. */
export function secretReferenceProblem(text: string): string | undefined {
  const bad = secretReferences(text).find((name) => !name.startsWith(secretEnvPrefix) || name.length === secretEnvPrefix.length);
  return bad === undefined ? undefined : `{{env:${bad}}} is not allowed: only variables named ${secretEnvPrefix}… can be referenced`;
}

/**
 * Replaces every reference with the variable's value, passed through `encode`
 * (e.g. JSON string escaping inside a body). Throws `missing` for an unset one.
 */
export function substituteSecrets(text: string, lookup: (name: string) => string | undefined, missing: (name: string) => Error, encode: (value: string) => string = (v) => v): string {
  return text.replace(referencePattern, (_whole, name: string) => {
    const value = name.startsWith(secretEnvPrefix) ? lookup(name) : undefined;
    if (value === undefined || value === '') throw missing(name);
    return encode(value);
  });
}

/** Header and parameter names whose values are credentials: never literal in a document, never shown in a message. */
export const credentialNamePattern = /authorization|cookie|token|secret|passw|api[-_]?key|^key$|signature|^sig$/i;
