import { DomainError } from '../../common/errors/domain-error';
import { auditActorOf, Principal, requireRoot } from './principal';

describe(requireRoot.name, () => {
  const uid = '1234567890123456';
  const refusal = (principal: Principal): DomainError => {
    try {
      requireRoot(principal);
    } catch (error) {
      return error as DomainError;
    }
    throw new Error('expected a refusal');
  };

  it('lets the account owner through', () => {
    expect(() => requireRoot({ type: 'root', uid })).not.toThrow();
  });

  it('sends a RAM user to the account administrator and the RAM console', () => {
    const error = refusal({ type: 'ram_user', uid, name: 'alice' });
    expect(error.code).toBe('ROOT_ACCOUNT_REQUIRED');
    expect(error.detail).toMatch(/account administrator/);
    expect(error.detail).toMatch(/RAM console/);
  });

  it('sends a RAM role to the account administrator', () => {
    const error = refusal({ type: 'ram_role', uid, name: 'ops' });
    expect(error.code).toBe('ROOT_ACCOUNT_REQUIRED');
    expect(error.detail).toMatch(/account administrator/);
  });

  it('sends an SSO user to the corporate identity provider', () => {
    const error = refusal({ type: 'sso', uid, name: 'bob@corp.example' });
    expect(error.code).toBe('FEDERATED_IDENTITY');
    expect(error.detail).toMatch(/corporate identity provider/);
  });
});

describe(auditActorOf.name, () => {
  it('names the account for root and the principal otherwise', () => {
    expect(auditActorOf({ type: 'root', uid: '1234567890123456' })).toEqual({ type: 'account', id: '1234567890123456' });
    expect(auditActorOf({ type: 'ram_user', uid: '1234567890123456', name: 'alice' })).toEqual({
      type: 'principal',
      id: 'ram_user:alice@1234567890123456',
    });
  });
});
