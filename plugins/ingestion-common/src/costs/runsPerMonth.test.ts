import { runsPerMonth } from './runsPerMonth';

describe('runsPerMonth', () => {
  it('counts a daily schedule over an average month', () => {
    expect(runsPerMonth({ cron: '0 2 * * *', timezone: 'UTC' })).toBe(30.4);
  });

  it('counts weekdays only for a weekday schedule', () => {
    expect(runsPerMonth({ cron: '0 6 * * 1-5' })).toBe(21.8);
  });

  it('extrapolates schedules too frequent to count in full', () => {
    expect(runsPerMonth({ cron: '* * * * *' })).toBe(43802.2);
  });
});
