/**
 * Every stable error code the service answers with, its HTTP status and its title.
 * Services throw DomainError subclasses carrying one of these codes; the problem-details
 * filter is the only place that turns them into HTTP.
 */
export const PROBLEMS = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  METHOD_UNAVAILABLE: { status: 400, title: 'This verification method is not available' },
  VERIFICATION_CODE_INVALID: { status: 400, title: 'The verification code is not correct' },
  PASSKEY_INVALID: { status: 400, title: 'The passkey could not be registered' },
  UNAUTHENTICATED: { status: 401, title: 'Sign-in required' },
  INVALID_CREDENTIALS: { status: 401, title: 'The login or password is not correct' },
  FORBIDDEN: { status: 403, title: 'Not allowed' },
  CSRF_INVALID: { status: 403, title: 'The form has expired' },
  ROOT_ACCOUNT_REQUIRED: { status: 403, title: 'Only the account owner can do this' },
  FEDERATED_IDENTITY: { status: 403, title: 'Managed by your identity provider' },
  VERIFICATION_TOKEN_INVALID: { status: 403, title: 'Identity verification is missing or no longer valid' },
  TRANSITION_NOT_ALLOWED: { status: 403, title: 'This action is not allowed now' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  EMAIL_IN_USE: { status: 409, title: 'Email address in use' },
  LOGIN_NAME_IN_USE: { status: 409, title: 'Login name in use' },
  VERIFICATION_USED: { status: 409, title: 'This verification has already been used' },
  ATTACHMENT_LIMIT: { status: 409, title: 'No more attachments can be added' },
  APPEAL_CLOSED: { status: 409, title: 'The appeal is closed' },
  STALE_VERSION: { status: 409, title: 'Someone else changed this first' },
  LEASE_HELD: { status: 409, title: 'Another agent is working on this appeal' },
  PASSKEY_LIMIT: { status: 409, title: 'No more passkeys can be added' },
  PASSKEY_EXISTS: { status: 409, title: 'This passkey is already registered' },
  VERIFICATION_EXPIRED: { status: 410, title: 'The verification code has expired' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The upload is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'This type of file is not accepted' },
  PASSWORD_POLICY: { status: 422, title: 'The password does not meet the policy' },
  SAME_AS_CURRENT: { status: 422, title: 'The new value is the same as the current one' },
  CONTACT_MISMATCH: { status: 422, title: 'The new logon email must be the verified contact email' },
  ACCOUNT_FROZEN: { status: 423, title: 'The account is frozen' },
  VERIFICATION_LOCKED: { status: 423, title: 'Verification is locked' },
  LOGIN_THROTTLED: { status: 429, title: 'Too many sign-in attempts' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  RESEND_TOO_SOON: { status: 429, title: 'Please wait before asking for another code' },
  INTERNAL: { status: 500, title: 'Something went wrong on our side' },
  UNAVAILABLE: { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** `VERIFICATION_CODE_INVALID` → `verification-code-invalid`, the last segment of the problem `type`. */
export function problemSlug(code: ProblemCode): string {
  return code.toLowerCase().replace(/_/g, '-');
}

export function problemTypeUri(code: ProblemCode): string {
  return `/problems/${problemSlug(code)}`;
}
