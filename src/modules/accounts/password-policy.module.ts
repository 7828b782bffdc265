import { Module } from '@nestjs/common';
import { PasswordPolicy } from './password-policy';

/**
 * The one PasswordPolicy of the process. Every module that checks new passwords (accounts,
 * appeals' reset links, the back-office's agents) imports this module rather than providing the
 * policy itself: each provider would start its own scorer thread with its own copy of the
 * dictionaries.
 */
@Module({ providers: [PasswordPolicy], exports: [PasswordPolicy] })
export class PasswordPolicyModule {}
