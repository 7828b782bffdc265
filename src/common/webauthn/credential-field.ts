/**
 * The JSON of a form's hidden `credential` field (a browser's WebAuthn answer); undefined when
 * it is not JSON, which the checks then refuse as they would any bad credential.
 */
export function parseCredential(value: string | undefined): unknown {
  if (!value) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A browser's WebAuthn answer is a few kilobytes at most. */
export const CREDENTIAL_FIELD_MAX = 16_384;
