import { Type } from 'class-transformer';
import { IsIn, IsString, Length, Matches, ValidateNested } from 'class-validator';

export class MintedPrincipalDto {
  @IsIn(['ram_role', 'sso'])
  type!: 'ram_role' | 'sso';

  /** The role name, or the SSO user's name at the identity provider. */
  @IsString()
  @Length(1, 128)
  name!: string;
}

/** A session minted by an STS or SSO gateway for a role or a federated user of the account. */
export class MintSessionDto {
  @Matches(/^[1-9]\d{15}$/, { message: 'must be a 16-digit UID' })
  uid!: string;

  @ValidateNested()
  @Type(() => MintedPrincipalDto)
  principal!: MintedPrincipalDto;
}
