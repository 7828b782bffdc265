import { isE164Phone, normaliseEmail } from './contacts';

describe(normaliseEmail.name, () => {
  it('trims and lower-cases the domain only', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('Ada.Lovelace@example.com');
  });
});

describe(isE164Phone.name, () => {
  it.each(['+8613812345678', '+14155550123', '+447911123456'])('accepts %s', (phone) => {
    expect(isE164Phone(phone)).toBe(true);
  });

  it.each(['8613812345678', '+86 138 1234 5678', '+1234', '+0123456789', '', 42, null])('refuses %p', (phone) => {
    expect(isE164Phone(phone)).toBe(false);
  });
});
