import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditKeysController } from './audit-keys.controller';
import { AuditKeys } from './audit-keys.service';
import { AuditProofs } from './audit-proofs.service';
import { AuditSequencer } from './audit-sequencer.service';
import { AuditService } from './audit.service';
import { AuditSigner } from './audit-signer';
import { AuditTreeStore } from './audit-tree.store';
import { AuditVerifier } from './audit-verifier.service';
import { AuditEvent } from './entities/audit-event.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditKeysController],
  providers: [AuditService, AuditSigner, AuditKeys, AuditTreeStore, AuditProofs, AuditSequencer, AuditVerifier],
  exports: [AuditService, AuditSigner, AuditKeys, AuditProofs, AuditSequencer, AuditVerifier],
})
export class AuditModule {}
