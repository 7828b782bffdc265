import { IsIn } from 'class-validator';

export class RevokeSessionsQuery {
  /** `others`: every session of yours but this one; `all`: this one too. */
  @IsIn(['others', 'all'])
  scope!: 'others' | 'all';
}
