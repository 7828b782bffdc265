import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { NotFoundError, ValidationFailedError } from '../../common/errors/domain-error';
import { AuditProofs } from '../audit/audit-proofs.service';
import { AdminTokenGuard } from './admin-token.guard';

const COUNT = /^(0|[1-9]\d{0,14})$/;

/** A tree size or leaf index from the query or path: a whole number, or a 400 naming `field`. */
function count(field: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  if (!COUNT.test(text) || Number(text) < min)
    throw new ValidationFailedError([{ field, message: `must be a whole number of at least ${min}` }]);
  return Number(text);
}

/** The signed checkpoints of the audit log and RFC 9162 proofs against them. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('api/admin/audit')
export class AuditAdminController {
  constructor(private readonly proofs: AuditProofs) {}

  @Get('checkpoint')
  async checkpoint() {
    const checkpoint = await this.proofs.latestCheckpoint();
    if (!checkpoint) throw new NotFoundError('The audit log has no checkpoint yet.');
    return checkpoint;
  }

  @Get('events/:seq')
  async event(@Param('seq') seqText: string, @Query('size') sizeText?: string) {
    const seq = count('seq', seqText, 0)!;
    const size = count('size', sizeText, 1);
    const inclusion = await this.proofs.inclusion(seq, size);
    if (!inclusion) throw new NotFoundError('No such event in the log (or not sequenced yet), or no checkpoint of that size.');
    return inclusion;
  }

  @Get('consistency')
  async consistency(@Query('from') fromText?: string, @Query('to') toText?: string) {
    const from = count('from', fromText ?? '', 1)!;
    const to = count('to', toText ?? '', 1)!;
    if (from > to) throw new ValidationFailedError([{ field: 'from', message: 'must not be above to' }]);
    const proof = await this.proofs.consistency(from, to);
    if (!proof)
      throw new ValidationFailedError([{ field: from === to ? 'to' : 'from', message: 'from and to must be sizes of signed checkpoints' }]);
    return proof;
  }
}
