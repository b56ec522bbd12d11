/*
 * The abstract syntax tree of the expression language.
 *
 * The tree is plain data (JSON-serialisable, no positions, no parentheses): two texts that
 * mean the same thing parse to equal trees, which is what the round-trip tests rely on.
 */

/** A reference to a column of the current row. @public */
export interface ColumnNode {
  kind: 'column';
  name: string;
}

/**
 * A non-negative number literal, kept as its source text (e.g. `1.50`) so that decimals
 * keep their exact value and scale; a minus sign is a {@link NegateNode}.
 * @public
 */
export interface NumberNode {
  kind: 'number';
  value: string;
}

/** A string literal; `value` is the unescaped text. @public */
export interface StringNode {
  kind: 'string';
  value: string;
}

/** `TRUE` or `FALSE`. @public */
export interface BooleanNode {
  kind: 'boolean';
  value: boolean;
}

/** `NULL`. @public */
export interface NullNode {
  kind: 'null';
}

/** `DATE 'yyyy-mm-dd'`. @public */
export interface DateNode {
  kind: 'date';
  value: string;
}

/** `TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.ffffff]'`. @public */
export interface TimestampNode {
  kind: 'timestamp';
  value: string;
}

/** Unary minus. @public */
export interface NegateNode {
  kind: 'negate';
  operand: ExpressionNode;
}

/** Logical `NOT`. @public */
export interface NotNode {
  kind: 'not';
  operand: ExpressionNode;
}

/** Arithmetic operators. @public */
export type ArithmeticOperator = '+' | '-' | '*' | '/' | '%';

/** Comparison operators (`<>` is read as `!=`). @public */
export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Logical operators. @public */
export type LogicalOperator = 'AND' | 'OR';

/** Every binary operator. @public */
export type BinaryOperator =
  | ArithmeticOperator
  | ComparisonOperator
  | LogicalOperator;

/** A binary operation; chains are left-associative (`a - b - c` is `(a - b) - c`). @public */
export interface BinaryNode {
  kind: 'binary';
  operator: BinaryOperator;
  left: ExpressionNode;
  right: ExpressionNode;
}

/** `operand [NOT] IN (values...)`. @public */
export interface InNode {
  kind: 'in';
  operand: ExpressionNode;
  values: ExpressionNode[];
  negated: boolean;
}

/** `operand [NOT] BETWEEN low AND high` (inclusive). @public */
export interface BetweenNode {
  kind: 'between';
  operand: ExpressionNode;
  low: ExpressionNode;
  high: ExpressionNode;
  negated: boolean;
}

/** `operand IS [NOT] NULL`. @public */
export interface IsNullNode {
  kind: 'isNull';
  operand: ExpressionNode;
  negated: boolean;
}

/** `operand [NOT] LIKE pattern` (`%` and `_` are wildcards, `\` escapes them). @public */
export interface LikeNode {
  kind: 'like';
  operand: ExpressionNode;
  pattern: ExpressionNode;
  negated: boolean;
}

/** One `WHEN condition THEN result` branch of a {@link CaseNode}. @public */
export interface CaseBranch {
  when: ExpressionNode;
  then: ExpressionNode;
}

/** `CASE WHEN ... THEN ... [ELSE ...] END` (searched form). @public */
export interface CaseNode {
  kind: 'case';
  branches: CaseBranch[];
  /** Absent when there is no `ELSE` (the result is then NULL). */
  else?: ExpressionNode;
}

/** The names of the data types a value can be cast to. @public */
export type SimpleDataTypeName =
  | 'string'
  | 'int'
  | 'bigint'
  | 'double'
  | 'float'
  | 'boolean'
  | 'date'
  | 'timestamp';

/** A data type of the allow-list, as used by `CAST(x AS type)` and the `cast` transform. @public */
export type DataType =
  | { name: SimpleDataTypeName }
  | { name: 'decimal'; precision: number; scale: number };

/** `CAST(operand AS type)`. @public */
export interface CastNode {
  kind: 'cast';
  operand: ExpressionNode;
  type: DataType;
}

/** A call of an allow-listed function; `name` is lower case. @public */
export interface CallNode {
  kind: 'call';
  name: FunctionName;
  args: ExpressionNode[];
}

/** The allow-listed functions (see the README for signatures). @public */
export type FunctionName =
  | 'lower'
  | 'upper'
  | 'trim'
  | 'length'
  | 'substring'
  | 'replace'
  | 'concat'
  | 'coalesce'
  | 'abs'
  | 'round'
  | 'floor'
  | 'ceil'
  | 'date_trunc'
  | 'date_add'
  | 'datediff'
  | 'current_date'
  | 'current_timestamp'
  | 'year'
  | 'month'
  | 'day'
  | 'hour';

/** Any node of the expression language. @public */
export type ExpressionNode =
  | ColumnNode
  | NumberNode
  | StringNode
  | BooleanNode
  | NullNode
  | DateNode
  | TimestampNode
  | NegateNode
  | NotNode
  | BinaryNode
  | InNode
  | BetweenNode
  | IsNullNode
  | LikeNode
  | CaseNode
  | CastNode
  | CallNode;

/** The `kind` of every node. @public */
export type ExpressionNodeKind = ExpressionNode['kind'];

/**
 * One method per node kind. The mapped type makes a visitor that forgets a kind a compile
 * error, so adding a node kind points at every renderer and analysis that must handle it.
 * @public
 */
export type ExpressionVisitor<R> = {
  [K in ExpressionNodeKind]: (node: Extract<ExpressionNode, { kind: K }>) => R;
};

/**
 * Dispatches a node to the visitor method of its kind.
 * @public
 */
export function visitExpression<R>(
  node: ExpressionNode,
  visitor: ExpressionVisitor<R>,
): R {
  // The mapped type guarantees the method exists and accepts this node's kind.
  const method = visitor[node.kind] as (n: ExpressionNode) => R;
  return method.call(visitor, node);
}

/** The direct children of each node kind, in source order. */
const childVisitor: ExpressionVisitor<ExpressionNode[]> = {
  column: () => [],
  number: () => [],
  string: () => [],
  boolean: () => [],
  null: () => [],
  date: () => [],
  timestamp: () => [],
  negate: n => [n.operand],
  not: n => [n.operand],
  binary: n => [n.left, n.right],
  in: n => [n.operand, ...n.values],
  between: n => [n.operand, n.low, n.high],
  isNull: n => [n.operand],
  like: n => [n.operand, n.pattern],
  case: n => [
    ...n.branches.flatMap(b => [b.when, b.then]),
    ...(n.else ? [n.else] : []),
  ],
  cast: n => [n.operand],
  call: n => n.args,
};

/**
 * The direct children of a node, in source order.
 * @public
 */
export function expressionChildren(node: ExpressionNode): ExpressionNode[] {
  return visitExpression(node, childVisitor);
}

/**
 * The names of the columns an expression reads, each once, in order of first appearance.
 * Used for column-level lineage and for checking expressions against a schema.
 * @public
 */
export function referencedColumns(ast: ExpressionNode): string[] {
  const seen = new Set<string>();
  const walk = (node: ExpressionNode) => {
    if (node.kind === 'column') {
      seen.add(node.name);
    }
    expressionChildren(node).forEach(walk);
  };
  walk(ast);
  return [...seen];
}
