/**
 * Conversion of 5-field Unix cron expressions (what pipeline specs use) into the Quartz syntax the Databricks
 * Jobs API expects (`quartz_cron_expression`).
 */

/**
 * Thrown when a Unix cron expression is malformed or cannot be expressed in Quartz.
 *
 * @public
 */
export class CronConversionError extends Error {
  constructor(readonly expression: string, reason: string) {
    super(`Cannot convert cron expression "${expression}": ${reason}`);
    this.name = 'CronConversionError';
  }
}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** First value that `names[0]` stands for. */
  namesStart?: number;
}

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
] as const;

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesStart: 1 },
  // Unix accepts both 0 and 7 for Sunday.
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, namesStart: 0 },
];

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** One comma-separated item of a field: `start[-end][/step]`, with `*` as the full range. */
interface Item {
  wildcard: boolean;
  start: number;
  end: number;
  /** Whether `end` was written explicitly (`a-b`), as opposed to implied by `*` or `a/n`. */
  ranged: boolean;
  step?: number;
}

/**
 * Converts a 5-field Unix cron expression (`minute hour day-of-month month day-of-week`) to a Quartz expression
 * (`second minute hour day-of-month month day-of-week`).
 *
 * - A `0` seconds field is prepended.
 * - Quartz requires exactly one of day-of-month / day-of-week to be `?`; the unrestricted one becomes `?`.
 *   When both are restricted Unix fires on days matching *either*, which Quartz cannot express, so this throws.
 * - Day-of-week values (0–7, 0 and 7 = Sunday, or names) are emitted as Quartz day names (`SUN`–`SAT`), which
 *   avoids the off-by-one between Unix (0 = Sunday) and Quartz (1 = Sunday) numbering.
 * - Steps (`*\/n`, `a-b/n`, `a/n`), ranges and lists are supported; `*\/n` becomes `<first value>/n` so its
 *   start is explicit in Quartz. Month names become numbers. The `@daily`-style macros are accepted.
 * - Quartz-only syntax (`L`, `W`, `#`, `?`) is rejected: the input is a Unix expression.
 *
 * @throws {@link CronConversionError} for malformed or unsupported expressions.
 * @public
 */
export function unixCronToQuartz(expression: string): string {
  const trimmed = expression.trim();
  const source = MACROS[trimmed.toLowerCase()] ?? trimmed;
  if (source.startsWith('@')) {
    throw new CronConversionError(
      expression,
      `unsupported macro "${trimmed}" (supported: ${Object.keys(MACROS).join(
        ', ',
      )})`,
    );
  }
  const parts = source.split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    throw new CronConversionError(
      expression,
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const items = parts.map((part, i) => parseField(expression, part, FIELDS[i]));
  const [minute, hour, dayOfMonth, month, dayOfWeek] = items;
  const dayNames = renderDayOfWeek(dayOfWeek);
  const domRestricted = !isStar(dayOfMonth);
  // A day-of-week list naming all seven days is as good as * when day-of-month is unrestricted.
  const dowRestricted =
    !isStar(dayOfWeek) && !(dayNames === undefined && !domRestricted);
  if (domRestricted && dowRestricted) {
    throw new CronConversionError(
      expression,
      'both day-of-month and day-of-week are restricted. Unix cron runs on days matching either field, ' +
        'Quartz (used by Databricks) cannot express that. Restrict only one of them (use * for the other), ' +
        'or split the schedule into two pipelines',
    );
  }
  return [
    '0',
    renderField(minute, FIELDS[0]),
    renderField(hour, FIELDS[1]),
    dowRestricted ? '?' : renderField(dayOfMonth, FIELDS[2]),
    renderField(month, FIELDS[3]),
    dowRestricted ? dayNames : '?',
  ].join(' ');
}

function isStar(items: Item[]): boolean {
  return items.length === 1 && items[0].wildcard && items[0].step === undefined;
}

function parseField(expression: string, text: string, field: FieldDef): Item[] {
  const fail = (reason: string): never => {
    throw new CronConversionError(
      expression,
      `${field.name} field "${text}": ${reason}`,
    );
  };
  if (/[?#]/.test(text) || /(^|[,/-])(L|LW|\d+[LW])($|[,/-])/i.test(text)) {
    fail(
      'Quartz-only syntax (?, L, W, #) is not valid in a Unix cron expression',
    );
  }
  return text.split(',').map(itemText => {
    const match = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(
      itemText,
    );
    if (!match) {
      return fail(`cannot parse "${itemText}"`);
    }
    const [, base, stepText] = match;
    const step = stepText === undefined ? undefined : Number(stepText);
    if (step !== undefined && (step < 1 || step > field.max - field.min)) {
      fail(`step ${stepText} must be between 1 and ${field.max - field.min}`);
    }
    if (base === '*') {
      return {
        wildcard: true,
        start: field.min,
        end: field.max,
        ranged: false,
        step,
      };
    }
    const [startText, endText] = base.split('-');
    const start = parseValue(startText, field, fail);
    const end =
      endText === undefined ? undefined : parseValue(endText, field, fail);
    if (end !== undefined && end < start) {
      fail(
        `range ${base} runs backwards (wrap-around ranges are not supported)`,
      );
    }
    return {
      wildcard: false,
      start,
      end: end ?? (step === undefined ? start : field.max),
      ranged: end !== undefined,
      step,
    };
  });
}

function parseValue(
  text: string,
  field: FieldDef,
  fail: (reason: string) => never,
): number {
  let value: number;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else {
    const index = field.names?.indexOf(text.toUpperCase() as never) ?? -1;
    if (index < 0) {
      return fail(`"${text}" is not a valid value`);
    }
    value = index + field.namesStart!;
  }
  if (value < field.min || value > field.max) {
    fail(`${value} is outside ${field.min}-${field.max}`);
  }
  return value;
}

function renderField(items: Item[], field: FieldDef): string {
  return items
    .map(item => {
      if (item.wildcard) {
        return item.step === undefined ? '*' : `${field.min}/${item.step}`;
      }
      const range = item.ranged ? `${item.start}-${item.end}` : `${item.start}`;
      return item.step === undefined ? range : `${range}/${item.step}`;
    })
    .join(',');
}

/**
 * Day-of-week is expanded to its set of days and re-emitted as names, so numbering, `7` = Sunday and steps
 * never depend on how Quartz interprets them. Runs of three or more days are compacted to ranges (`MON-FRI`).
 * Returns undefined when every day is selected.
 */
function renderDayOfWeek(items: Item[]): string | undefined {
  const days = new Set<number>();
  for (const item of items) {
    for (let day = item.start; day <= item.end; day += item.step ?? 1) {
      days.add(day % 7);
    }
  }
  if (days.size === 7) {
    return undefined;
  }
  const sorted = [...days].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j - i >= 2) {
      out.push(`${DAY_NAMES[sorted[i]]}-${DAY_NAMES[sorted[j]]}`);
    } else {
      for (let k = i; k <= j; k++) out.push(DAY_NAMES[sorted[k]]);
    }
    i = j + 1;
  }
  return out.join(',');
}
