export type {
  ArithmeticOperator,
  BetweenNode,
  BinaryNode,
  BinaryOperator,
  BooleanNode,
  CallNode,
  CaseBranch,
  CaseNode,
  CastNode,
  ColumnNode,
  ComparisonOperator,
  DataType,
  DateNode,
  ExpressionNode,
  ExpressionNodeKind,
  ExpressionVisitor,
  FunctionName,
  InNode,
  IsNullNode,
  LikeNode,
  LogicalOperator,
  NegateNode,
  NotNode,
  NullNode,
  NumberNode,
  SimpleDataTypeName,
  StringNode,
  TimestampNode,
} from './ast';
export { expressionChildren, referencedColumns, visitExpression } from './ast';
export { DATA_TYPE_NAMES, formatDataType } from './dataTypes';
export type { ExpressionError } from './errors';
export { IDENTIFIER_PATTERN, isSafeIdentifier } from './identifiers';
export {
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
  parseDataType,
  parseExpression,
} from './parseExpression';
export type {
  ParseExpressionOptions,
  ParseExpressionResult,
} from './parseExpression';
export { formatExpression, renderExpression } from './render';
export type { SqlDialect } from './render';
