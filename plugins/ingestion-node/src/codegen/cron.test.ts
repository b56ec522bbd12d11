import { CronConversionError, unixCronToQuartz } from './cron';

describe('unixCronToQuartz', () => {
  it.each([
    // [unix, quartz, what it shows]
    ['0 2 * * *', '0 0 2 * * ?', 'daily at 02:00 (the seed batch example)'],
    ['* * * * *', '0 * * * * ?', 'every minute'],
    ['*/5 * * * *', '0 0/5 * * * ?', 'minute step starts at 0'],
    ['15 */2 * * *', '0 15 0/2 * * ?', 'hour step'],
    ['0 9-17 * * *', '0 0 9-17 * * ?', 'hour range'],
    ['0 9-17/2 * * *', '0 0 9-17/2 * * ?', 'range with step'],
    ['5/15 * * * *', '0 5/15 * * * ?', 'start with step'],
    ['0,15,30,45 * * * *', '0 0,15,30,45 * * * ?', 'minute list'],
    ['00 07 * * *', '0 0 7 * * ?', 'leading zeros are normalised'],
    [
      '0 0 1 * *',
      '0 0 0 1 * ?',
      'day-of-month restricted: day-of-week becomes ?',
    ],
    ['0 0 1,15 * *', '0 0 0 1,15 * ?', 'day-of-month list'],
    ['0 0 */2 * *', '0 0 0 1/2 * ?', 'day-of-month step starts at 1'],
    ['0 0 1 1 *', '0 0 0 1 1 ?', 'yearly'],
    ['0 0 1 */3 *', '0 0 0 1 1/3 ?', 'month step starts at 1'],
    [
      '0 0 1 jan,jul *',
      '0 0 0 1 1,7 ?',
      'month names (any case) become numbers',
    ],
    ['0 0 * JAN-MAR *', '0 0 0 * 1-3 ?', 'month name range'],
    ['0 8 * * 1-5', '0 0 8 ? * MON-FRI', 'weekdays: day-of-month becomes ?'],
    ['0 8 * * 0', '0 0 8 ? * SUN', 'Unix 0 is Sunday'],
    ['0 8 * * 7', '0 0 8 ? * SUN', 'Unix 7 is Sunday too'],
    ['0 8 * * 6,0', '0 0 8 ? * SUN,SAT', 'weekend list'],
    ['0 8 * * 5-7', '0 0 8 ? * SUN,FRI,SAT', 'range through 7 wraps to Sunday'],
    ['0 8 * * 1,3,5', '0 0 8 ? * MON,WED,FRI', 'day list'],
    ['0 8 * * */2', '0 0 8 ? * SUN,TUE,THU,SAT', 'day step is expanded'],
    ['0 8 * * 1-5/2', '0 0 8 ? * MON,WED,FRI', 'day range with step'],
    ['0 8 * * mon-wed', '0 0 8 ? * MON-WED', 'day names'],
    ['0 8 * * SAT,sun', '0 0 8 ? * SUN,SAT', 'day names, mixed case'],
    ['0 8 * * 0-6', '0 0 8 * * ?', 'all seven days is the same as *'],
    ['30 4 * 6 2', '0 30 4 ? 6 TUE', 'month and day-of-week'],
    ['@daily', '0 0 0 * * ?', '@daily macro'],
    ['@midnight', '0 0 0 * * ?', '@midnight macro'],
    ['@hourly', '0 0 * * * ?', '@hourly macro'],
    ['@weekly', '0 0 0 ? * SUN', '@weekly macro'],
    ['@monthly', '0 0 0 1 * ?', '@monthly macro'],
    ['@yearly', '0 0 0 1 1 ?', '@yearly macro'],
    ['  0   2  *  *  *  ', '0 0 2 * * ?', 'extra whitespace'],
  ])('%s -> %s (%s)', (unix, quartz) => {
    expect(unixCronToQuartz(unix)).toBe(quartz);
  });

  it.each([
    ['0 0 1 * 1', /both day-of-month and day-of-week are restricted.*either/],
    ['0 0 */2 * 1-5', /both day-of-month and day-of-week are restricted/],
    ['0 0 1 * 0-6', /both day-of-month and day-of-week are restricted/],
    ['0 2 * *', /expected 5 fields.*got 4/],
    ['0 0 2 * * ?', /expected 5 fields.*got 6/],
    ['60 * * * *', /minute field "60": 60 is outside 0-59/],
    ['0 24 * * *', /hour field "24": 24 is outside 0-23/],
    ['0 0 0 * *', /day-of-month field "0": 0 is outside 1-31/],
    ['0 0 * 13 *', /month field "13": 13 is outside 1-12/],
    ['0 0 * * 8', /day-of-week field "8": 8 is outside 0-7/],
    ['0 22-2 * * *', /runs backwards/],
    ['*/0 * * * *', /step 0 must be between 1 and 59/],
    ['*/60 * * * *', /step 60 must be between 1 and 59/],
    ['0 0 L * *', /Quartz-only syntax/],
    ['0 0 15W * *', /Quartz-only syntax/],
    ['0 0 ? * 1', /Quartz-only syntax/],
    ['0 0 * * 5#3', /Quartz-only syntax/],
    ['0 0 * * FOO', /"FOO" is not a valid value/],
    ['0 0 * * 1,,2', /cannot parse ""/],
    ['@reboot', /unsupported macro "@reboot"/],
  ])('rejects %s', (unix, message) => {
    expect(() => unixCronToQuartz(unix)).toThrow(CronConversionError);
    expect(() => unixCronToQuartz(unix)).toThrow(message);
  });
});
