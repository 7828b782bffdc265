import { Body, Controller, Get, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsEmail, IsInt, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import Redis from 'ioredis';
import { InjectRedis, RedisKeys } from '../../src/infrastructure/redis/redis.module';

class ProbeEvidence {
  @IsString()
  @MinLength(2)
  fullName!: string;
}

class ProbeBody {
  @IsEmail()
  email!: string;

  @IsInt()
  @Min(1)
  @Max(5)
  count!: number;

  @ValidateNested()
  @Type(() => ProbeEvidence)
  evidence!: ProbeEvidence;
}

/** Routes that exist only in tests, to provoke each kind of failure at the HTTP edge. */
@Controller('probe')
class ProbeController {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  @Post('validate')
  validate(@Body() body: ProbeBody) {
    return { ok: true, email: body.email };
  }

  @Get('boom')
  boom(): never {
    throw new Error('relation "secret_table" does not exist at /srv/app/internal.ts:42');
  }

  @Get('redis')
  async touchRedis() {
    return { count: await this.redis.incr(this.keys.key('probe')) };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
