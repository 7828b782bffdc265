import { maskEmail, maskPhone } from './masking';

describe('masking', () => {
  it('masks emails as docs/api.md shows', () => {
    expect(maskEmail('john@example.com')).toBe('j***@example.com');
    expect(maskEmail('a@b.co')).toBe('a***@b.co');
    expect(maskEmail('broken')).toBe('***');
  });

  it('masks phones as docs/api.md shows', () => {
    expect(maskPhone('+8613812345678')).toBe('+86 138****5678');
    expect(maskPhone('+14155550123')).toBe('+1 415***0123');
    expect(maskPhone('+4930123')).not.toContain('30123');
  });
});
