import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { CryptoService } from './crypto/crypto.service';
import { PasswordHasher } from './crypto/password-hasher';

@Global()
@Module({ providers: [Clock, CryptoService, PasswordHasher], exports: [Clock, CryptoService, PasswordHasher] })
export class CommonModule {}
