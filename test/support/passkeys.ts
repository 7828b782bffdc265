import { api, bearer } from './factories';
import { Inbox } from './inbox';
import { SoftAuthenticator } from './soft-authenticator';
import { TestApp } from './test-app';
import { verificationToken } from './verification';

/** Verification by passkey through the API (purpose any); returns the verification token. */
export async function passkeyVerificationToken(
  t: TestApp,
  token: string,
  purpose: string,
  authenticator: SoftAuthenticator,
): Promise<string> {
  const started = await api(t).post('/api/v1/verifications').set(bearer(token)).send({ purpose, method: 'passkey' }).expect(201);
  const credential = authenticator.assert(started.body.options);
  const verified = await api(t).post(`/api/v1/verifications/${started.body.id}/verify`).set(bearer(token)).send({ credential }).expect(200);
  return verified.body.verificationToken as string;
}

/**
 * Adds a passkey made by `authenticator` to the session's account: an `add_passkey`
 * verification (by passkey when `authenticator` already holds one of the account's, else by an
 * email code to `email`), the creation options, then the credential. Returns the passkey's id.
 */
export async function addPasskey(
  t: TestApp,
  inbox: Inbox,
  token: string,
  authenticator: SoftAuthenticator,
  options: { email: string; name?: string; byPasskey?: boolean },
): Promise<string> {
  const verification = options.byPasskey
    ? await passkeyVerificationToken(t, token, 'add_passkey', authenticator)
    : await verificationToken(t, inbox, token, 'add_passkey', options.email);
  const started = await api(t)
    .post('/api/v1/account/passkeys/registration-options')
    .set(bearer(token))
    .send({ verificationToken: verification })
    .expect(200);
  const credential = authenticator.register(started.body.options);
  const added = await api(t)
    .post('/api/v1/account/passkeys')
    .set(bearer(token))
    .send({ registrationId: started.body.registrationId, name: options.name, credential })
    .expect(201);
  return added.body.id as string;
}
