import Table from 'cli-table3';

/** Where a command writes, and what it knows of its environment (tests pass their own). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal (a live status line then rewrites itself). */
  interactive?: boolean;
  fetch?: typeof globalThis.fetch;
  /** Waits between polls; tests make it immediate. */
  sleep?: (ms: number) => Promise<void>;
  /** Runs `backstage-cli auth print-token`; tests replace it. */
  printToken?: () => Promise<string | undefined>;
}

/** The console and the process environment. */
export function processIo(): CliIo {
  return {
    out: text => process.stdout.write(text),
    err: text => process.stderr.write(text),
    env: process.env,
    interactive: process.stderr.isTTY,
  };
}

export type Cell = string | number | boolean | undefined | null;

function cellText(value: Cell): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

/** A table for people: a header row and aligned columns, no borders. */
export function renderTable(head: string[], rows: Cell[][]): string {
  const table = new Table({
    head,
    style: {
      head: [],
      border: [],
      compact: true,
      'padding-left': 0,
      'padding-right': 0,
    },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
  });
  for (const row of rows) {
    table.push(row.map(cellText));
  }
  return `${table
    .toString()
    .split('\n')
    .map(line => line.trimEnd())
    .join('\n')}\n`;
}

/** `--json` output: stable, indented, one document. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A CSV cell: quoted when needed; a leading `= + - @` is prefixed against formula injection. */
export function csvCell(value: Cell): string {
  let text = cellText(value);
  if (/^[=+\-@]/.test(text) && !/^-?\d/.test(text)) {
    text = `'${text}`;
  }
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(head: string[], rows: Cell[][]): string {
  return `${[head, ...rows].map(r => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** An amount of money with its currency, e.g. `12.50 USD`. */
export function money(amount: number | undefined, currency = 'USD'): string {
  return amount === undefined ? '' : `${amount.toFixed(2)} ${currency}`;
}
