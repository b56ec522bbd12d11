import type {
  ArithmeticOperator,
  ComparisonOperator,
  DataType,
  ExpressionNode,
  FunctionName,
} from '../ast';
import { DATE_TRUNC_UNITS } from '../functions';
import { Prng } from './prng';

/** The types the generator builds well-typed trees for. */
type GeneratedType = 'boolean' | 'number' | 'string' | 'date' | 'timestamp';

const TYPES: GeneratedType[] = [
  'boolean',
  'number',
  'string',
  'date',
  'timestamp',
];

// Names that need care: reserved words, soft keywords, statement words, function names.
const COLUMN_NAMES = [
  'amount',
  'status',
  'customer_id',
  'Order_ID',
  '_x1',
  'date',
  'timestamp',
  'end',
  'select',
  'AND',
  'current_date',
  'lower',
  'count',
];

// Characters that break naive quoting: quotes of every dialect, backslashes, comment starts.
const STRING_PIECES = [
  'a',
  'Z',
  ' ',
  "'",
  "''",
  '"',
  '`',
  '\\',
  "\\'",
  ';',
  '--',
  '/*',
  '*/',
  '%',
  '_',
  '\n',
  '\t',
  'é',
  '😀',
  ' OR 1=1',
  'DROP TABLE x',
];

const ARITHMETIC: ArithmeticOperator[] = ['+', '-', '*', '/', '%'];
const COMPARISON: ComparisonOperator[] = ['=', '!=', '<', '<=', '>', '>='];
const CAST_TARGETS: Record<GeneratedType, DataType[]> = {
  boolean: [{ name: 'boolean' }],
  number: [
    { name: 'int' },
    { name: 'bigint' },
    { name: 'double' },
    { name: 'float' },
    { name: 'decimal', precision: 18, scale: 2 },
    { name: 'decimal', precision: 38, scale: 0 },
  ],
  string: [{ name: 'string' }],
  date: [{ name: 'date' }],
  timestamp: [{ name: 'timestamp' }],
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Generates random, well-typed expression trees: exactly the trees `parseExpression` can
 * produce, so `parse(format(tree))` must give the tree back.
 */
export class RandomExpressionGenerator {
  constructor(private readonly random: Prng, private readonly maxDepth = 5) {}

  expression(type?: GeneratedType): ExpressionNode {
    return this.of(type ?? this.random.pick(TYPES), this.maxDepth);
  }

  private of(type: GeneratedType, depth: number): ExpressionNode {
    if (depth <= 1 || this.random.chance(0.3)) {
      return this.leaf(type);
    }
    const builders: Record<GeneratedType, () => ExpressionNode> = {
      boolean: () => this.booleanNode(depth - 1),
      number: () => this.numberNode(depth - 1),
      string: () => this.stringNode(depth - 1),
      date: () => this.dateNode(depth - 1),
      timestamp: () => this.timestampNode(depth - 1),
    };
    return this.random.chance(0.1)
      ? this.caseOf(type, depth - 1)
      : builders[type]();
  }

  private leaf(type: GeneratedType): ExpressionNode {
    if (this.random.chance(0.35)) {
      return { kind: 'column', name: this.random.pick(COLUMN_NAMES) };
    }
    if (this.random.chance(0.05)) {
      return { kind: 'null' };
    }
    const literals: Record<GeneratedType, () => ExpressionNode> = {
      boolean: () => ({ kind: 'boolean', value: this.random.chance(0.5) }),
      number: () => ({ kind: 'number', value: this.numberText() }),
      string: () => ({ kind: 'string', value: this.stringValue() }),
      date: () => ({ kind: 'date', value: this.dateText() }),
      timestamp: () => ({ kind: 'timestamp', value: this.timestampText() }),
    };
    return literals[type]();
  }

  private booleanNode(depth: number): ExpressionNode {
    const comparedType = this.random.pick(TYPES);
    const options: Array<() => ExpressionNode> = [
      () => ({ kind: 'not', operand: this.of('boolean', depth) }),
      () => ({
        kind: 'binary',
        operator: this.random.pick(['AND', 'OR'] as const),
        left: this.of('boolean', depth),
        right: this.of('boolean', depth),
      }),
      () => ({
        kind: 'binary',
        operator: this.random.pick(COMPARISON),
        left: this.of(comparedType, depth),
        right: this.of(comparedType, depth),
      }),
      () => ({
        kind: 'in',
        operand: this.of(comparedType, depth),
        values: this.list(1, 4, () => this.of(comparedType, depth)),
        negated: this.random.chance(0.5),
      }),
      () => ({
        kind: 'between',
        operand: this.of(comparedType, depth),
        low: this.of(comparedType, depth),
        high: this.of(comparedType, depth),
        negated: this.random.chance(0.5),
      }),
      () => ({
        kind: 'isNull',
        operand: this.of(comparedType, depth),
        negated: this.random.chance(0.5),
      }),
      () => ({
        kind: 'like',
        operand: this.of('string', depth),
        pattern: this.of('string', depth),
        negated: this.random.chance(0.5),
      }),
    ];
    return this.random.pick(options)();
  }

  private numberNode(depth: number): ExpressionNode {
    const options: Array<() => ExpressionNode> = [
      () => ({ kind: 'negate', operand: this.of('number', depth) }),
      () => ({
        kind: 'binary',
        operator: this.random.pick(ARITHMETIC),
        left: this.of('number', depth),
        right: this.of('number', depth),
      }),
      () =>
        this.call(this.random.pick(['abs', 'floor', 'ceil'] as const), [
          this.of('number', depth),
        ]),
      () =>
        this.call(
          'round',
          this.list(1, 2, () => this.of('number', depth)),
        ),
      () => this.call('length', [this.of('string', depth)]),
      () =>
        this.call(this.random.pick(['year', 'month', 'day', 'hour'] as const), [
          this.of(this.temporalType(), depth),
        ]),
      () =>
        this.call('datediff', [
          this.of(this.temporalType(), depth),
          this.of(this.temporalType(), depth),
        ]),
      () => this.castOf('number', depth),
    ];
    return this.random.pick(options)();
  }

  private stringNode(depth: number): ExpressionNode {
    const options: Array<() => ExpressionNode> = [
      () =>
        this.call(this.random.pick(['lower', 'upper', 'trim'] as const), [
          this.of('string', depth),
        ]),
      () =>
        this.call('substring', [
          this.of('string', depth),
          this.of('number', depth),
          ...(this.random.chance(0.5) ? [this.of('number', depth)] : []),
        ]),
      () =>
        this.call('replace', [
          this.of('string', depth),
          this.of('string', depth),
          this.of('string', depth),
        ]),
      () =>
        this.call(
          'concat',
          this.list(1, 3, () => this.of(this.random.pick(TYPES), depth)),
        ),
      () =>
        this.call(
          'coalesce',
          this.list(1, 3, () => this.of('string', depth)),
        ),
      () => this.castOf('string', depth),
    ];
    return this.random.pick(options)();
  }

  private dateNode(depth: number): ExpressionNode {
    const options: Array<() => ExpressionNode> = [
      () => this.call('current_date', []),
      () =>
        this.call('date_add', [
          this.of(this.temporalType(), depth),
          this.of('number', depth),
        ]),
      () => this.castOf('date', depth),
    ];
    return this.random.pick(options)();
  }

  private timestampNode(depth: number): ExpressionNode {
    const options: Array<() => ExpressionNode> = [
      () => this.call('current_timestamp', []),
      () =>
        this.call('date_trunc', [
          { kind: 'string', value: this.random.pick(DATE_TRUNC_UNITS) },
          this.of(this.temporalType(), depth),
        ]),
      () => this.castOf('timestamp', depth),
    ];
    return this.random.pick(options)();
  }

  private caseOf(type: GeneratedType, depth: number): ExpressionNode {
    const branches = this.list(1, 3, () => ({
      when: this.of('boolean', depth),
      then: this.of(type, depth),
    }));
    return this.random.chance(0.5)
      ? { kind: 'case', branches, else: this.of(type, depth) }
      : { kind: 'case', branches };
  }

  private castOf(type: GeneratedType, depth: number): ExpressionNode {
    return {
      kind: 'cast',
      operand: this.of(this.random.pick(TYPES), depth),
      type: this.random.pick(CAST_TARGETS[type]),
    };
  }

  private call(name: FunctionName, args: ExpressionNode[]): ExpressionNode {
    return { kind: 'call', name, args };
  }

  private temporalType(): GeneratedType {
    return this.random.pick(['date', 'timestamp'] as const);
  }

  private list<T>(min: number, max: number, item: () => T): T[] {
    return Array.from({ length: this.random.int(min, max) }, item);
  }

  private numberText(): string {
    const digits = () =>
      Array.from({ length: this.random.int(1, 6) }, () =>
        this.random.int(0, 9),
      ).join('');
    const forms = [
      () => digits(),
      () => `${digits()}.${digits()}`,
      () =>
        `${digits()}e${this.random.pick(['', '+', '-'])}${this.random.int(
          0,
          30,
        )}`,
    ];
    return this.random.pick(forms)();
  }

  private stringValue(): string {
    return this.list(0, 5, () => this.random.pick(STRING_PIECES)).join('');
  }

  private dateText(): string {
    return `${this.random.int(1900, 2100)}-${pad(this.random.int(1, 12))}-${pad(
      this.random.int(1, 28),
    )}`;
  }

  private timestampText(): string {
    const fraction = this.random.chance(0.3)
      ? `.${pad(this.random.int(0, 999999), 6)}`
      : '';
    return `${this.dateText()} ${pad(this.random.int(0, 23))}:${pad(
      this.random.int(0, 59),
    )}:${pad(this.random.int(0, 59))}${fraction}`;
  }
}
