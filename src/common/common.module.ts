import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { CryptoService } from './crypto/crypto.service';
import { PasswordHasher } from './crypto/password-hasher';
import { CsrfGuard } from './http/csrf.guard';
import { CsrfService } from './http/csrf.service';
import { FlashService } from './http/flash.service';
import { RelyingParty } from './webauthn/relying-party';

@Global()
@Module({
  providers: [Clock, CryptoService, PasswordHasher, CsrfService, CsrfGuard, FlashService, RelyingParty],
  exports: [Clock, CryptoService, PasswordHasher, CsrfService, CsrfGuard, FlashService, RelyingParty],
})
export class CommonModule {}
