/** Query parameters of the spend requests: dates, months and team refs, checked as the API documents them. */
import { InputError } from '@backstage/errors';
import { dayOf } from './dates';

/** The key of spend no tag value was attributed to. */
export const UNATTRIBUTED = 'unattributed';

const DAY_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export function parseDay(field: string, value: string): string {
  if (
    !DAY_PATTERN.test(value) ||
    dayOf(new Date(`${value}T00:00:00Z`)) !== value
  ) {
    throw new InputError(`${field}: must be a date YYYY-MM-DD`);
  }
  return value;
}

export function parseMonth(field: string, value: string): string {
  if (!MONTH_PATTERN.test(value)) {
    throw new InputError(`${field}: must be a month YYYY-MM`);
  }
  return value;
}

export function parseTeam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^group:[^/\s]+\/[^/\s]+$/.test(value)) {
    throw new InputError(
      'team: must be a group entity ref such as group:default/finance-data',
    );
  }
  return value.toLocaleLowerCase('en-US');
}
