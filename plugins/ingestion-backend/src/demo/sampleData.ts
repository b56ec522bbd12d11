/**
 * Deterministic sample data for the demo organizations: the same files on every machine, so the
 * demo's tables, quality results and costs are reproducible.
 */

/** A small seeded PRNG (mulberry32): enough for sample data, not for anything secret. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 9, 1);

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function csv(header: string[], rows: Array<Array<string | number>>): string {
  return `${[header, ...rows].map(row => row.join(',')).join('\n')}\n`;
}

/** Finance: card transactions (customer_id, date, amount, status, updated_at), some refunds. */
export function financeTransactionsCsv(rows = 5000): string {
  const next = random(1);
  const data = Array.from({ length: rows }, (_, i) => {
    const at = START + Math.floor(next() * 30 * DAY_MS);
    const refund = next() < 0.05;
    const amount = ((refund ? -1 : 1) * Math.round(next() * 50000)) / 100;
    return [
      `C${String(1 + Math.floor(next() * 400)).padStart(5, '0')}`,
      new Date(at).toISOString().slice(0, 10),
      amount.toFixed(2),
      refund
        ? 'refunded'
        : pick(next, ['settled', 'settled', 'settled', 'pending']),
      new Date(at + i * 1000).toISOString(),
    ];
  });
  return csv(['customer_id', 'date', 'amount', 'status', 'updated_at'], data);
}

/** Retail: orders, with a few duplicates re-sent by the shop system. */
export function retailOrdersCsv(rows = 3000): string {
  const next = random(2);
  const data: Array<Array<string | number>> = [];
  for (let i = 0; i < rows; i++) {
    const at = START + Math.floor(next() * 30 * DAY_MS);
    const row = [
      `O${String(i + 1).padStart(6, '0')}`,
      `C${String(1 + Math.floor(next() * 900)).padStart(5, '0')}`,
      pick(next, ['shoes', 'shirts', 'bags', 'hats', 'socks']),
      1 + Math.floor(next() * 4),
      (Math.round(next() * 20000) / 100).toFixed(2),
      new Date(at).toISOString(),
    ];
    data.push(row);
    if (next() < 0.02) data.push(row);
  }
  return csv(
    ['order_id', 'customer_id', 'category', 'quantity', 'price', 'ordered_at'],
    data,
  );
}

/** Retail: page events as newline-delimited JSON. */
export function retailPageEventsJson(rows = 4000): string {
  const next = random(3);
  return `${Array.from({ length: rows }, () =>
    JSON.stringify({
      user_id: `U${String(1 + Math.floor(next() * 700)).padStart(5, '0')}`,
      event_type: pick(next, [
        'view',
        'view',
        'view',
        'add_to_cart',
        'checkout',
      ]),
      page: pick(next, ['/', '/shoes', '/bags', '/cart', '/checkout']),
      event_time: new Date(
        START + Math.floor(next() * 30 * DAY_MS),
      ).toISOString(),
    }),
  ).join('\n')}\n`;
}

/** Healthcare: synthetic patient visits with PII-looking columns (none of it real). */
export function healthcareVisitsCsv(rows = 2000): string {
  const next = random(4);
  const first = ['alex', 'sam', 'kim', 'lee', 'pat', 'robin', 'jo', 'max'];
  const last = ['smith', 'garcia', 'chen', 'muller', 'rossi', 'novak', 'silva'];
  const data = Array.from({ length: rows }, (_, i) => {
    const name = `${pick(next, first)} ${pick(next, last)}`;
    const ssn = `9${String(Math.floor(next() * 100)).padStart(2, '0')}-${String(
      Math.floor(next() * 100),
    ).padStart(2, '0')}-${String(Math.floor(next() * 10000)).padStart(4, '0')}`;
    return [
      `V${String(i + 1).padStart(6, '0')}`,
      `P${String(1 + Math.floor(next() * 600)).padStart(5, '0')}`,
      name,
      `${name.replace(' ', '.')}@example.org`,
      ssn,
      `+1-555-${String(Math.floor(next() * 10000)).padStart(4, '0')}`,
      pick(next, ['cardiology', 'oncology', 'pediatrics', 'radiology']),
      new Date(START + Math.floor(next() * 30 * DAY_MS))
        .toISOString()
        .slice(0, 10),
    ];
  });
  return csv(
    [
      'visit_id',
      'patient_id',
      'patient_name',
      'email',
      'ssn',
      'phone',
      'department',
      'visit_date',
    ],
    data,
  );
}
