import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { availableParallelism } from 'node:os';

/** argon2id with the parameters of the product rules (OWASP's first choice): m = 19456 KiB, t = 2, p = 1. */
export const PASSWORD_HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash with the same parameters of a random password nobody knows: checking against it costs what a real check costs. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$l8RNN4Swlrp9IpGaElHwHg$H+p2pXh+GsdVvOl6lv2o9aajkFViDvCDbkx1pTwh2RY';

/**
 * Hashes and checks passwords (accounts, RAM users, agents). `verify` without a hash still does
 * the full work, so an unknown login takes as long as a wrong password. At most one hash per core
 * runs at a time: more would only share the cores while each holds its 19 MiB, and keep the
 * thread pool from everything else that uses it.
 */
@Injectable()
export class PasswordHasher {
  private free = availableParallelism();
  private readonly waiting: (() => void)[] = [];

  hash(password: string): Promise<string> {
    return this.inTurn(() => argon2.hash(password, PASSWORD_HASH_OPTIONS));
  }

  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const ok = await this.inTurn(() => argon2.verify(hash ?? DUMMY_HASH, password));
    return ok && hash !== undefined;
  }

  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    }
  }
}
