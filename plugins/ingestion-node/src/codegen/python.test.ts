import {
  pyCol,
  pyLiteral,
  pyStr,
  quoteSparkIdentifier,
  sparkTableName,
  commentText,
} from './python';
import { pythonSyntaxError, runPython } from './__testUtils__';

const HOSTILE = [
  'plain',
  'quote"inside',
  "single'quote",
  'back\\slash',
  'trailing backslash\\',
  'new\nline',
  'carriage\rreturn',
  'tab\tand\u0000nul',
  '""" triple',
  "'''; import os; os.system('rm -rf /') #",
  '") ; __import__("os").system("id") ; ("',
  'unicode é ü 中文',
  'emoji 😀 astral',
  'line\u2028separator\u2029para\u0085nel',
  '{braces} and %s and \\N{BULLET}',
  'back`tick',
];

describe('pyStr', () => {
  it('emits printable ASCII only, so no value can break the line or the literal', () => {
    for (const value of HOSTILE) {
      expect(pyStr(value)).toMatch(/^"[\x20-\x7e]*"$/);
    }
  });

  it('round-trips hostile values through Python exactly', () => {
    // One interpreter for all values: each line prints the UTF-8 bytes Python decoded from the literal.
    const script = HOSTILE.map(
      value => `print(${pyStr(value)}.encode("utf-8", "surrogatepass").hex())`,
    ).join('\n');
    expect(pythonSyntaxError(script)).toBeUndefined();
    expect(runPython(script).trim().split('\n')).toEqual(
      HOSTILE.map(value => Buffer.from(value, 'utf8').toString('hex')),
    );
  });
});

describe('pyLiteral', () => {
  it('renders JSON-like values as Python literals in insertion order', () => {
    expect(
      pyLiteral({
        b: [1, 2.5, true, false, null],
        a: 'x"y',
        skipped: undefined,
        nested: {},
      }),
    ).toBe('{"b": [1, 2.5, True, False, None], "a": "x\\"y", "nested": {}}');
  });

  it('rejects non-finite numbers', () => {
    expect(() => pyLiteral(Number.NaN)).toThrow('non-finite');
  });
});

describe('Spark identifiers', () => {
  it('quotes with backticks and doubles embedded backticks', () => {
    expect(quoteSparkIdentifier('a`b')).toBe('`a``b`');
    expect(sparkTableName(['cat', 'sch.ema', 't`'])).toBe(
      '`cat`.`sch.ema`.`t```',
    );
  });

  it('keeps plain column names readable and quotes the rest', () => {
    expect(pyCol('amount')).toBe('F.col("amount")');
    expect(pyCol('a.b')).toBe('F.col("`a.b`")');
    expect(pyCol('x") or F.lit("1')).toBe('F.col("`x\\") or F.lit(\\"1`")');
  });
});

describe('commentText', () => {
  it('cannot end a comment line early', () => {
    const comment = `# ${commentText('name\nprint("owned")\u2028x\r\ny')}`;
    expect(comment).toBe('# name print("owned") x y');
    expect(pythonSyntaxError(`${comment}\n`)).toBeUndefined();
  });
});
