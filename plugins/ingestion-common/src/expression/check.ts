import {
  BinaryOperator,
  ExpressionNode,
  ExpressionVisitor,
  expressionChildren,
  visitExpression,
} from './ast';
import { valueTypeOfDataType } from './dataTypes';
import { ExpressionSyntaxError, positionAt } from './errors';
import { arityOf, FUNCTIONS, paramTypeAt } from './functions';
import {
  accepts,
  commonType,
  comparable,
  describeType,
  ParamType,
  ValueType,
} from './valueTypes';

/** Operators by what they take and give. */
const OPERATOR_CLASS: Record<
  BinaryOperator,
  'arithmetic' | 'comparison' | 'logical'
> = {
  '+': 'arithmetic',
  '-': 'arithmetic',
  '*': 'arithmetic',
  '/': 'arithmetic',
  '%': 'arithmetic',
  '=': 'comparison',
  '!=': 'comparison',
  '<': 'comparison',
  '<=': 'comparison',
  '>': 'comparison',
  '>=': 'comparison',
  AND: 'logical',
  OR: 'logical',
};

const ORDINALS = ['first', 'second', 'third'];

/** Returns the first node deeper than `limit` (the root has depth 1); iterative, so any tree is safe. */
export function findNodeDeeperThan(
  ast: ExpressionNode,
  limit: number,
): ExpressionNode | undefined {
  const stack: Array<[ExpressionNode, number]> = [[ast, 1]];
  for (let entry = stack.pop(); entry; entry = stack.pop()) {
    const [node, depth] = entry;
    if (depth > limit) {
      return node;
    }
    for (const child of expressionChildren(node)) {
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Infers the static type of every node and rejects combinations no engine would accept
 * (`1 AND 2`, `'a' * 3`, `lower(42)`), pointing at the operand that is wrong. Column types
 * are unknown here, so anything involving a column passes.
 */
export class TypeChecker implements ExpressionVisitor<ValueType> {
  constructor(
    private readonly offsets: WeakMap<ExpressionNode, number>,
    private readonly text: string,
  ) {}

  typeOf(node: ExpressionNode): ValueType {
    return visitExpression(node, this);
  }

  column = (): ValueType => 'unknown';
  number = (): ValueType => 'number';
  string = (): ValueType => 'string';
  boolean = (): ValueType => 'boolean';
  null = (): ValueType => 'null';
  date = (): ValueType => 'date';
  timestamp = (): ValueType => 'timestamp';

  negate = (node: Extract<ExpressionNode, { kind: 'negate' }>): ValueType =>
    this.require(node.operand, 'number', 'unary `-`');

  not = (node: Extract<ExpressionNode, { kind: 'not' }>): ValueType => {
    this.require(node.operand, 'boolean', 'NOT');
    return 'boolean';
  };

  binary = (node: Extract<ExpressionNode, { kind: 'binary' }>): ValueType => {
    const operatorClass = OPERATOR_CLASS[node.operator];
    if (operatorClass === 'comparison') {
      this.requireComparable(node.left, node.right);
      return 'boolean';
    }
    const operand: ParamType =
      operatorClass === 'arithmetic' ? 'number' : 'boolean';
    const context = `\`${node.operator}\` (on both sides)`;
    this.require(node.left, operand, context);
    this.require(node.right, operand, context);
    return operand;
  };

  in = (node: Extract<ExpressionNode, { kind: 'in' }>): ValueType => {
    node.values.forEach(value => this.requireComparable(node.operand, value));
    return 'boolean';
  };

  between = (node: Extract<ExpressionNode, { kind: 'between' }>): ValueType => {
    this.requireComparable(node.operand, node.low);
    this.requireComparable(node.operand, node.high);
    return 'boolean';
  };

  isNull = (node: Extract<ExpressionNode, { kind: 'isNull' }>): ValueType => {
    this.typeOf(node.operand);
    return 'boolean';
  };

  like = (node: Extract<ExpressionNode, { kind: 'like' }>): ValueType => {
    this.require(node.operand, 'string', 'LIKE');
    this.require(node.pattern, 'string', 'a LIKE pattern');
    return 'boolean';
  };

  case = (node: Extract<ExpressionNode, { kind: 'case' }>): ValueType => {
    let result: ValueType = 'null';
    const addResult = (value: ExpressionNode) => {
      const type = this.typeOf(value);
      const common = commonType(result, type);
      if (!common) {
        this.fail(
          value,
          `all results of a CASE must have the same type: this is ${describeType(
            type,
          )}, an earlier one is ${describeType(result)}`,
        );
      }
      result = common;
    };
    for (const branch of node.branches) {
      this.require(branch.when, 'boolean', 'WHEN');
      addResult(branch.then);
    }
    if (node.else) {
      addResult(node.else);
    }
    return result;
  };

  cast = (node: Extract<ExpressionNode, { kind: 'cast' }>): ValueType => {
    this.typeOf(node.operand);
    return valueTypeOfDataType(node.type);
  };

  call = (node: Extract<ExpressionNode, { kind: 'call' }>): ValueType => {
    const signature = FUNCTIONS[node.name];
    const { min, max } = arityOf(signature);
    if (node.args.length < min || node.args.length > max) {
      const expected =
        min === max
          ? `${min}`
          : `${min} ${max === Infinity ? 'or more' : `to ${max}`}`;
      this.fail(
        node,
        `\`${node.name}\` takes ${expected} argument${
          max === 1 ? '' : 's'
        }, but got ${node.args.length}`,
      );
    }
    const argTypes = node.args.map((arg, index) =>
      this.require(
        arg,
        paramTypeAt(signature, index),
        `the ${ORDINALS[index] ?? `#${index + 1}`} argument of \`${
          node.name
        }\``,
      ),
    );
    for (const [index, choices] of Object.entries(
      signature.literalArgs ?? {},
    )) {
      const arg = node.args[Number(index)];
      if (arg.kind !== 'string' || !choices.includes(arg.value.toLowerCase())) {
        this.fail(
          arg,
          `the ${ORDINALS[Number(index)]} argument of \`${
            node.name
          }\` must be one of ${choices.map(c => `'${c}'`).join(', ')}`,
        );
      }
    }
    return typeof signature.returns === 'function'
      ? signature.returns(argTypes)
      : signature.returns;
  };

  private require(
    node: ExpressionNode,
    expected: ParamType,
    context: string,
  ): ValueType {
    const actual = this.typeOf(node);
    if (!accepts(expected, actual)) {
      this.fail(
        node,
        `${context} needs ${describeType(expected)}, but this is ${describeType(
          actual,
        )}`,
      );
    }
    return actual;
  }

  private requireComparable(left: ExpressionNode, right: ExpressionNode) {
    const leftType = this.typeOf(left);
    const rightType = this.typeOf(right);
    if (!comparable(leftType, rightType)) {
      this.fail(
        right,
        `cannot compare ${describeType(leftType)} with ${describeType(
          rightType,
        )}`,
      );
    }
  }

  private fail(node: ExpressionNode, message: string): never {
    throw new ExpressionSyntaxError(
      message,
      positionAt(this.text, this.offsets.get(node) ?? 0),
    );
  }
}
