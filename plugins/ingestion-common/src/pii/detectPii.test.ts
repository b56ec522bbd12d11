import { detectPii, luhnValid, piiTypesOf, piiTypesOfName } from './detectPii';

describe('PII detection', () => {
  it.each([
    ['jane.doe@example.com', ['email']],
    ['JANE+news@mail.example.co.uk', ['email']],
    ['123-45-6789', ['ssn']],
    ['123 45 6789', ['ssn']],
    ['4111 1111 1111 1111', ['credit_card']],
    ['4111-1111-1111-1111', ['credit_card']],
    ['5555555555554444', ['credit_card']],
    ['378282246310005', ['credit_card']],
    ['+1 415 555 2671', ['phone']],
    ['+442071838750', ['phone']],
    ['(415) 555-2671', ['phone']],
    ['415-555-2671', ['phone']],
  ])('recognises %s', (value, types) => {
    expect(piiTypesOf(value)).toEqual(types);
  });

  it.each([
    ['4111 1111 1111 1112', 'fails the Luhn check'],
    ['000-12-3456', 'area 000 is never issued'],
    ['666-12-3456', 'area 666 is never issued'],
    ['912-12-3456', 'areas 9xx are never issued'],
    ['123-00-4567', 'group 00 is never issued'],
    ['123456789', 'nine bare digits are an id, not an SSN'],
    ['4155552671', 'ten bare digits are an id, not a phone number'],
    [
      '1234567890123456',
      'a sequence number passes Luhn rarely and starts with 1',
    ],
    ['2026-01-15', 'a date'],
    ['12.50', 'an amount'],
    ['not an @email', 'not an email'],
    ['a@b', 'no top-level domain'],
  ])('does not take %s for PII (%s)', value => {
    expect(piiTypesOf(value)).toEqual([]);
  });

  it('does not tag a column of order numbers, though some pass the Luhn check by chance', () => {
    // Sequential 16-digit order numbers of a shop whose numbering starts with 4 (like Visa):
    // one in ten passes Luhn, far below the share a column of card numbers has.
    const orders = Array.from({ length: 100 }, (_, i) =>
      String(4000000000001000 + i),
    );
    const passing = orders.filter(o => piiTypesOf(o).length > 0);
    expect(passing.length).toBeGreaterThan(0);
    expect(passing.length).toBeLessThan(20);
    expect(detectPii({ order_number: orders })).toEqual({});
    // Order references written with letters or as dates never look like PII.
    expect(
      detectPii({
        order_ref: ['ORD-2026-000123', 'ORD-2026-000124', 'INV-00042'],
        ordered_on: ['2026-01-15', '2026-01-16', '2026-01-17'],
      }),
    ).toEqual({});
  });

  it('checks Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('12a4')).toBe(false);
  });

  it('tags columns whose samples mostly match, and judges empty columns by their names', () => {
    expect(
      detectPii({
        contact: ['a@example.com', 'b@example.org', null, ''],
        card: ['4111 1111 1111 1111', '5555 5555 5555 4444', 'n/a'],
        notes: ['call me at 415-555-2671', 'hello', 'hi', 'ok'],
        amount: [12.5, 99, 1000000],
        customer_phone: [],
        ssn: [null, null],
        name: [],
      }),
    ).toEqual({
      contact: ['email'],
      card: ['credit_card'],
      customer_phone: ['phone'],
      ssn: ['ssn'],
    });
    expect(
      detectPii({ mixed: ['a@example.com', 'x', 'y'] }, { threshold: 0.3 }),
    ).toEqual({ mixed: ['email'] });
  });

  it('reads names', () => {
    expect(piiTypesOfName('Email_Address')).toEqual(['email']);
    expect(piiTypesOfName('mobile')).toEqual(['phone']);
    expect(piiTypesOfName('social_security_number')).toEqual(['ssn']);
    expect(piiTypesOfName('card_number')).toEqual(['credit_card']);
    expect(piiTypesOfName('emailed_at')).toEqual([]);
    expect(piiTypesOfName('telemetry')).toEqual([]);
  });
});
