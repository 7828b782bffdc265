import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { normaliseEmail } from '../../common/contacts';
import { PasswordHasher } from '../../common/crypto/password-hasher';
import { maskEmail } from '../../common/masking';
import { AuditService } from '../audit/audit.service';
import { AgentPasskeyChallenge, AgentPasskeysService } from './agent-passkeys.service';
import { AgentSignInLockout } from './agent-sign-in-lockout.service';
import { AgentSessionsService, IssuedAgentSession } from './agent-sessions.service';
import { AgentTotpService } from './agent-totp.service';
import { AgentsService } from './agents.service';
import { AgentLockedError, AgentSignInFailedError } from './agents.errors';
import { Agent } from './entities/agent.entity';

export interface AgentSignInAttempt {
  readonly email: string;
  readonly password: string;
  readonly totp?: string;
  readonly ip: string;
  readonly userAgent?: string;
}

const WRONG_CREDENTIALS = 'The email or password is not correct.';

/**
 * Back-office sign-in: argon2id password (an unknown email costs the same hash), then the TOTP
 * code for agents who enrolled, then a session. Five failures for one email from one network
 * lock that email on that network for 15 minutes; every attempt is in the audit log.
 */
@Injectable()
export class AgentSignInService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly agents: AgentsService,
    private readonly sessions: AgentSessionsService,
    private readonly lockout: AgentSignInLockout,
    private readonly totp: AgentTotpService,
    private readonly passkeys: AgentPasskeysService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  /**
   * AgentLockedError while locked; AgentSignInFailedError naming the field to show the error
   * beside. An agent with a passkey who typed no TOTP code gets its challenge (`passkey`) instead
   * of a session: `completeWithPasskey` finishes the sign-in.
   */
  async signIn(attempt: AgentSignInAttempt): Promise<{ agent: Agent; session: IssuedAgentSession } | { passkey: AgentPasskeyChallenge }> {
    const email = normaliseEmail(attempt.email);
    const lockedMs = await this.lockout.lockedFor(email, attempt.ip);
    if (lockedMs > 0) throw new AgentLockedError(Math.ceil(lockedMs / 1000));

    const agent = email ? await this.agents.findByEmail(email) : null;
    if (!(await this.hasher.verify(agent?.passwordHash, attempt.password))) {
      return this.fail(email, agent, attempt.ip, 'wrong_password', new AgentSignInFailedError('password', WRONG_CREDENTIALS));
    }
    const known = agent!;
    if (!known.active) {
      // Told only after the right password, like a frozen account: the agent needs to know whom to ask.
      return this.fail(
        email,
        known,
        attempt.ip,
        'deactivated',
        new AgentSignInFailedError('email', 'This back-office account is deactivated. Ask an administrator.'),
      );
    }
    if (known.awaitingApproval) {
      // A supervisor or admin made on the team page acts only once a second admin agrees.
      return this.fail(
        email,
        known,
        attempt.ip,
        'awaiting_approval',
        new AgentSignInFailedError(
          'email',
          'This back-office account waits for a second administrator to approve its role. Ask another administrator.',
        ),
      );
    }
    const secret = this.agents.totpSecretOf(known);
    // A passkey stands in for TOTP: without a code typed, an agent who has one is asked for it.
    if (!attempt.totp?.trim() && (await this.passkeys.hasAny(known.id))) return { passkey: await this.passkeys.challenge(known.id, email) };
    if (secret !== null) {
      const code = attempt.totp?.trim() ?? '';
      if (!code)
        return this.fail(
          email,
          known,
          attempt.ip,
          'totp_missing',
          new AgentSignInFailedError('totp', 'Enter the 6-digit code from your authenticator app.'),
        );
      if (!(await this.totp.check(known.id, secret, code))) {
        return this.fail(
          email,
          known,
          attempt.ip,
          'totp_wrong',
          new AgentSignInFailedError('totp', 'This code is not correct. Enter the code your app shows now.'),
        );
      }
    }

    return this.open(known, email, attempt, secret !== null ? 'totp' : null);
  }

  /**
   * The second step of an agent's sign-in with a passkey: the assertion over the challenge that
   * the right password earned. A failed one counts toward the lockout like a wrong code.
   */
  async completeWithPasskey(attempt: {
    challengeId: string;
    credential: unknown;
    ip: string;
    userAgent?: string;
  }): Promise<{ agent: Agent; session: IssuedAgentSession }> {
    const answered = await this.passkeys.answer(attempt.challengeId, attempt.credential);
    if (!answered) throw new AgentSignInFailedError('password', 'That sign-in has ended. Sign in again.');
    const lockedMs = await this.lockout.lockedFor(answered.email, attempt.ip);
    if (lockedMs > 0) throw new AgentLockedError(Math.ceil(lockedMs / 1000));
    const agent = await this.agents.findByEmail(answered.email);
    if (!agent || agent.id !== answered.agentId || !agent.active || agent.awaitingApproval)
      throw new AgentSignInFailedError('password', 'That sign-in has ended. Sign in again.');
    if (!answered.ok)
      return this.fail(
        answered.email,
        agent,
        attempt.ip,
        'passkey_refused',
        new AgentSignInFailedError('password', 'The passkey was not accepted. Sign in again.'),
      );
    return this.open(agent, answered.email, attempt, 'passkey');
  }

  private async open(
    agent: Agent,
    email: string,
    attempt: { ip: string; userAgent?: string },
    secondFactor: 'totp' | 'passkey' | null,
  ): Promise<{ agent: Agent; session: IssuedAgentSession }> {
    const session = await this.dataSource.transaction(async (manager) => {
      const issued = await this.sessions.create(manager, agent.id, { ip: attempt.ip, userAgent: attempt.userAgent });
      await this.audit.record(manager, {
        action: 'agent.signed_in',
        actor: { type: 'agent', id: agent.id },
        subject: { type: 'agent', id: agent.id },
        data: {
          sessionId: issued.sessionId,
          secondFactor: secondFactor !== null,
          ...(secondFactor === 'passkey' ? { method: 'passkey' } : {}),
        },
        ip: attempt.ip,
      });
      return issued;
    });
    await this.lockout.clear(email, attempt.ip);
    return { agent, session };
  }

  /** Signs the session out; the audit log notes it. */
  async signOut(agentId: string, sessionId: string, ip?: string): Promise<void> {
    await this.sessions.revoke(sessionId, 'sign_out');
    await this.dataSource.transaction((manager) =>
      this.audit.record(manager, {
        action: 'agent.signed_out',
        actor: { type: 'agent', id: agentId },
        subject: { type: 'agent', id: agentId },
        data: { sessionId },
        ip,
      }),
    );
  }

  /** Counts the failure (a lock it starts included) and records it, then throws what the form shows. */
  private async fail(email: string, agent: Agent | null, ip: string, reason: string, error: AgentSignInFailedError): Promise<never> {
    const lockMs = await this.lockout.recordFailure(email, ip);
    const subject = agent ? { type: 'agent', id: agent.id } : undefined;
    // An unknown email may be a password typed into the wrong field: keep only a masked form.
    const data = agent ? { reason } : { reason, email: maskEmail(email) };
    await this.dataSource.transaction(async (manager) => {
      await this.audit.record(manager, { action: 'agent.sign_in_failed', actor: { type: 'public' }, subject, data, ip });
      if (lockMs > 0)
        await this.audit.record(manager, {
          action: 'agent.sign_in_locked',
          actor: { type: 'system' },
          subject,
          data: { lockSeconds: lockMs / 1000 },
          ip,
        });
    });
    if (lockMs > 0) throw new AgentSignInFailedError(error.field, `${error.detail} Sign-in is now locked for 15 minutes.`);
    throw error;
  }
}
