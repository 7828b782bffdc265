import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { DomainError, NotFoundError } from '../../common/errors/domain-error';
import {
  isAssertion,
  isRegistration,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RelyingParty,
} from '../../common/webauthn/relying-party';
import { uniqueViolation } from '../../database/postgres-errors';
import { AuditService } from '../audit/audit.service';
import { CodeChallengesService } from '../challenges/code-challenges.service';
import { AgentPasskey } from './entities/agent-passkey.entity';

/** WebAuthn ceremonies of agents (`purpose` of their challenges). */
const REGISTRATION = 'agent_registration';
const SECOND_FACTOR = 'agent_sign_in';
/** A passkey is not a collection: a handful covers every device an agent works from. */
export const MAX_AGENT_PASSKEYS = 10;

/** Refused agent passkey changes; the page shows `detail`. */
export class AgentPasskeyError extends DomainError {
  constructor(detail: string) {
    super('PASSKEY_INVALID', detail);
  }
}

/** The second-factor challenge of an agent's sign-in, once the password was right. */
export interface AgentPasskeyChallenge {
  readonly challengeId: string;
  readonly options: PublicKeyCredentialRequestOptionsJSON;
}

/**
 * Agents' passkeys, a second factor in place of TOTP: enrolled on /agent/me, asked for at
 * sign-in after the right password. Only public keys are stored; a counter that does not
 * increase refuses the assertion.
 */
@Injectable()
export class AgentPasskeysService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly challenges: CodeChallengesService,
    private readonly relyingParty: RelyingParty,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  list(agentId: string): Promise<AgentPasskey[]> {
    return this.dataSource.manager.find(AgentPasskey, { where: { agentId }, order: { createdAt: 'ASC' } });
  }

  async hasAny(agentId: string): Promise<boolean> {
    return (await this.dataSource.manager.count(AgentPasskey, { where: { agentId } })) > 0;
  }

  async registrationOptions(agent: {
    id: string;
    email: string;
    name: string;
  }): Promise<{ registrationId: string; options: PublicKeyCredentialCreationOptionsJSON }> {
    const existing = await this.list(agent.id);
    if (existing.length >= MAX_AGENT_PASSKEYS) throw new AgentPasskeyError(`You have ${MAX_AGENT_PASSKEYS} passkeys: remove one first.`);
    const issued = await this.challenges.issueWebAuthn({ purpose: REGISTRATION, context: { agentId: agent.id } });
    const options = await this.relyingParty.registrationOptions({
      challenge: issued.webauthnChallenge,
      userId: agent.id,
      userName: agent.email,
      displayName: agent.name,
      exclude: existing,
    });
    return { registrationId: issued.id, options };
  }

  async register(
    agentId: string,
    request: { registrationId: string; name?: string; credential: unknown },
    ip?: string,
  ): Promise<AgentPasskey> {
    const context = await this.challenges.consumeWebAuthn(request.registrationId, REGISTRATION, { context: { agentId } });
    if (!context || typeof context.webauthnChallenge !== 'string') throw new AgentPasskeyError('This registration has ended: start again.');
    const credential = isRegistration(request.credential)
      ? await this.relyingParty.verifyRegistration(request.credential, context.webauthnChallenge)
      : undefined;
    if (!credential) throw new AgentPasskeyError('The passkey could not be verified. Start again.');
    const passkey = Object.assign(new AgentPasskey(), {
      id: randomUUID(),
      agentId,
      credentialId: credential.credentialId,
      publicKey: credential.publicKey,
      counter: credential.counter,
      transports: credential.transports,
      name: request.name?.trim().slice(0, 64) || `Passkey ${this.clock.now().toISOString().slice(0, 10)}`,
      createdAt: this.clock.now(),
      lastUsedAt: null,
    } satisfies AgentPasskey);
    try {
      await this.dataSource.transaction(async (manager) => {
        await manager.insert(AgentPasskey, passkey);
        await this.audit.record(manager, {
          action: 'agent.passkey_added',
          actor: { type: 'agent', id: agentId },
          subject: { type: 'agent', id: agentId },
          data: { passkeyId: passkey.id },
          ip,
        });
      });
    } catch (error) {
      if (uniqueViolation(error) === 'agent_passkeys_credential_key') throw new AgentPasskeyError('This passkey is already registered.');
      throw error;
    }
    return passkey;
  }

  async remove(agentId: string, id: string, ip?: string): Promise<void> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError('You have no such passkey.');
    await this.dataSource.transaction(async (manager) => {
      const result = await manager.delete(AgentPasskey, { id, agentId });
      if (!result.affected) throw new NotFoundError('You have no such passkey.');
      await this.audit.record(manager, {
        action: 'agent.passkey_removed',
        actor: { type: 'agent', id: agentId },
        subject: { type: 'agent', id: agentId },
        data: { passkeyId: id },
        ip,
      });
    });
  }

  /** The second-factor challenge of a sign-in whose password was right: the agent's passkeys allowed. */
  async challenge(agentId: string, email: string): Promise<AgentPasskeyChallenge> {
    const issued = await this.challenges.issueWebAuthn({ purpose: SECOND_FACTOR, context: { agentId, email } });
    return {
      challengeId: issued.id,
      options: await this.relyingParty.authenticationOptions(issued.webauthnChallenge, await this.list(agentId)),
    };
  }

  /**
   * Uses up the second-factor challenge `challengeId` with an assertion: the agent it was issued
   * for (and the email that signed in) when one of their passkeys signed it, else undefined.
   */
  async answer(challengeId: string, credential: unknown): Promise<{ agentId: string; email: string; ok: boolean } | undefined> {
    const context = await this.challenges.consumeWebAuthn(challengeId, SECOND_FACTOR);
    if (!context || typeof context.agentId !== 'string' || typeof context.webauthnChallenge !== 'string') return undefined;
    const who = { agentId: context.agentId, email: String(context.email) };
    if (!isAssertion(credential)) return { ...who, ok: false };
    const passkey = await this.dataSource.manager.findOne(AgentPasskey, { where: { credentialId: credential.id, agentId: who.agentId } });
    if (!passkey) return { ...who, ok: false };
    const outcome = await this.relyingParty.verifyAssertion(credential, context.webauthnChallenge, passkey);
    if (!outcome.ok) return { ...who, ok: false };
    await this.dataSource.manager.update(AgentPasskey, { id: passkey.id }, { counter: outcome.newCounter, lastUsedAt: this.clock.now() });
    return { ...who, ok: true };
  }
}
