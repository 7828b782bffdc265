import { redactUrl } from './logging.module';

describe('redactUrl', () => {
  it('hides tokens carried in paths', () => {
    expect(redactUrl('/api/v1/security-reverts/abc123')).toBe('/api/v1/security-reverts/[redacted]');
    expect(redactUrl('/secure/revert/abc?x=1')).toBe('/secure/revert/[redacted]?x=1');
    expect(redactUrl('/reset-password/tok')).toBe('/reset-password/[redacted]');
    expect(redactUrl('/api/v1/appeal-objections/t0k/')).toBe('/api/v1/appeal-objections/[redacted]/');
  });

  it('hides sensitive query parameters and keeps the rest', () => {
    expect(redactUrl('/x?token=a&page=2&code=123456')).toBe('/x?token=%5Bredacted%5D&page=2&code=%5Bredacted%5D');
    expect(redactUrl('/agent/appeals?status=submitted')).toBe('/agent/appeals?status=submitted');
  });
});
