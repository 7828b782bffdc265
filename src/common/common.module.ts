import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { CryptoService } from './crypto/crypto.service';

@Global()
@Module({ providers: [Clock, CryptoService], exports: [Clock, CryptoService] })
export class CommonModule {}
