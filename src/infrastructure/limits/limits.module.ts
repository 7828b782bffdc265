import { Global, Module } from '@nestjs/common';
import { Limiter } from './limiter';

/** The Limiter, for every module that counts something in Redis (`LIMITS` lists what). */
@Global()
@Module({ providers: [Limiter], exports: [Limiter] })
export class LimitsModule {}
