import {
  BinaryOperator,
  DataType,
  ExpressionNode,
  ExpressionNodeKind,
  ExpressionVisitor,
  FunctionName,
  visitExpression,
} from '../ast';

/** Binding strength, loosest first; mirrors the grammar in `parser.ts`. */
const PRECEDENCE = {
  or: 1,
  and: 2,
  not: 3,
  predicate: 4,
  additive: 5,
  multiplicative: 6,
  unary: 7,
  primary: 8,
} as const;

const BINARY_PRECEDENCE: Record<BinaryOperator, number> = {
  OR: PRECEDENCE.or,
  AND: PRECEDENCE.and,
  '=': PRECEDENCE.predicate,
  '!=': PRECEDENCE.predicate,
  '<': PRECEDENCE.predicate,
  '<=': PRECEDENCE.predicate,
  '>': PRECEDENCE.predicate,
  '>=': PRECEDENCE.predicate,
  '+': PRECEDENCE.additive,
  '-': PRECEDENCE.additive,
  '*': PRECEDENCE.multiplicative,
  '/': PRECEDENCE.multiplicative,
  '%': PRECEDENCE.multiplicative,
};

const KIND_PRECEDENCE: Partial<Record<ExpressionNodeKind, number>> = {
  not: PRECEDENCE.not,
  in: PRECEDENCE.predicate,
  between: PRECEDENCE.predicate,
  isNull: PRECEDENCE.predicate,
  like: PRECEDENCE.predicate,
  negate: PRECEDENCE.unary,
};

function precedenceOf(node: ExpressionNode): number {
  return node.kind === 'binary'
    ? BINARY_PRECEDENCE[node.operator]
    : KIND_PRECEDENCE[node.kind] ?? PRECEDENCE.primary;
}

/** How a dialect spells a function call, given its rendered arguments. */
export type FunctionRendering = (args: string[]) => string;

/**
 * Renders an expression tree as SQL text. The tree has no parentheses: they are added here
 * exactly where precedence needs them, so the text always means the tree it came from.
 * Each dialect is a subclass that decides quoting, type names and function spellings.
 */
export abstract class SqlRenderer implements ExpressionVisitor<string> {
  /** Quotes a column name. */
  protected abstract identifier(name: string): string;
  /** Quotes a string value. */
  protected abstract stringLiteral(value: string): string;
  /** Spells a data type. */
  protected abstract dataType(type: DataType): string;
  /** Functions whose spelling differs from `name(args)` in this dialect. */
  protected abstract readonly functions: Partial<
    Record<FunctionName, FunctionRendering>
  >;
  /** How this dialect writes "not equal". */
  protected readonly notEquals: string = '!=';
  /** Appended to LIKE so that `\` escapes wildcards in every dialect. */
  protected readonly likeEscape: string = '';

  render(node: ExpressionNode): string {
    return visitExpression(node, this);
  }

  column = (node: Extract<ExpressionNode, { kind: 'column' }>) =>
    this.identifier(node.name);
  number = (node: Extract<ExpressionNode, { kind: 'number' }>) => node.value;
  string = (node: Extract<ExpressionNode, { kind: 'string' }>) =>
    this.stringLiteral(node.value);
  boolean = (node: Extract<ExpressionNode, { kind: 'boolean' }>) =>
    node.value ? 'TRUE' : 'FALSE';
  null = () => 'NULL';
  date = (node: Extract<ExpressionNode, { kind: 'date' }>) =>
    `DATE ${this.stringLiteral(node.value)}`;
  timestamp = (node: Extract<ExpressionNode, { kind: 'timestamp' }>) =>
    `TIMESTAMP ${this.stringLiteral(node.value)}`;

  // A nested minus is parenthesised, so the text never contains `--` (a comment in SQL).
  negate = (node: Extract<ExpressionNode, { kind: 'negate' }>) =>
    `-${this.operand(node.operand, PRECEDENCE.primary)}`;

  not = (node: Extract<ExpressionNode, { kind: 'not' }>) =>
    `NOT ${this.operand(node.operand, PRECEDENCE.not)}`;

  binary = (node: Extract<ExpressionNode, { kind: 'binary' }>) => {
    const precedence = BINARY_PRECEDENCE[node.operator];
    const isComparison = precedence === PRECEDENCE.predicate;
    // Comparisons do not chain; other operators are left-associative, so an equal-precedence
    // right operand needs parentheses (`a - (b - c)`).
    const left = this.operand(
      node.left,
      isComparison ? PRECEDENCE.additive : precedence,
    );
    const right = this.operand(
      node.right,
      isComparison ? PRECEDENCE.additive : precedence + 1,
    );
    const operator = node.operator === '!=' ? this.notEquals : node.operator;
    return `${left} ${operator} ${right}`;
  };

  in = (node: Extract<ExpressionNode, { kind: 'in' }>) =>
    `${this.predicateOperand(node.operand)} ${this.negation(
      node,
    )}IN (${node.values.map(value => this.render(value)).join(', ')})`;

  between = (node: Extract<ExpressionNode, { kind: 'between' }>) =>
    `${this.predicateOperand(node.operand)} ${this.negation(
      node,
    )}BETWEEN ${this.predicateOperand(node.low)} AND ${this.predicateOperand(
      node.high,
    )}`;

  isNull = (node: Extract<ExpressionNode, { kind: 'isNull' }>) =>
    `${this.predicateOperand(node.operand)} IS ${this.negation(node)}NULL`;

  like = (node: Extract<ExpressionNode, { kind: 'like' }>) =>
    `${this.predicateOperand(node.operand)} ${this.negation(
      node,
    )}LIKE ${this.predicateOperand(node.pattern)}${this.likeEscape}`;

  case = (node: Extract<ExpressionNode, { kind: 'case' }>) => {
    const branches = node.branches.map(
      branch =>
        ` WHEN ${this.render(branch.when)} THEN ${this.render(branch.then)}`,
    );
    const otherwise = node.else ? ` ELSE ${this.render(node.else)}` : '';
    return `CASE${branches.join('')}${otherwise} END`;
  };

  cast = (node: Extract<ExpressionNode, { kind: 'cast' }>) =>
    this.castTo(this.render(node.operand), node.type);

  call = (node: Extract<ExpressionNode, { kind: 'call' }>) => {
    const args = node.args.map(arg => this.render(arg));
    const special = this.functions[node.name];
    return special ? special(args) : `${node.name}(${args.join(', ')})`;
  };

  /** `CAST(text AS type)` in this dialect; also used by function spellings. */
  protected castTo(text: string, type: DataType): string {
    return `CAST(${text} AS ${this.dataType(type)})`;
  }

  private operand(node: ExpressionNode, minimum: number): string {
    const text = this.render(node);
    return precedenceOf(node) < minimum ? `(${text})` : text;
  }

  private predicateOperand(node: ExpressionNode): string {
    return this.operand(node, PRECEDENCE.additive);
  }

  private negation(node: { negated: boolean }): string {
    return node.negated ? 'NOT ' : '';
  }
}
