import type { FunctionName } from './ast';
import type { ParamType, ValueType } from './valueTypes';

/** The signature of an allow-listed function. */
export interface FunctionSignature {
  /** Types of the positional parameters. */
  params: ParamType[];
  /** How many trailing parameters may be left out. */
  optional?: number;
  /** Type of any further arguments, for variadic functions. */
  rest?: ParamType;
  /** The result type, or a rule deriving it from the argument types. */
  returns: ValueType | ((argTypes: ValueType[]) => ValueType);
  /** Arguments that must be string literals from a fixed list, by position. */
  literalArgs?: Record<number, readonly string[]>;
  /** May be written without parentheses, like the SQL keywords `current_date`. */
  bareWord?: boolean;
  /** One line for the README and error messages. */
  summary: string;
}

/** The units `date_trunc` accepts; both engines spell them the same. */
export const DATE_TRUNC_UNITS = [
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'hour',
  'minute',
  'second',
] as const;

/** `coalesce` has the type of its first argument whose type is known. */
const firstKnownType = (types: ValueType[]): ValueType =>
  types.find(t => t !== 'unknown' && t !== 'null') ?? 'unknown';

/**
 * The allow-list. A function that is not here is a validation error; how each dialect
 * spells a function lives with that dialect's renderer.
 */
export const FUNCTIONS: Record<FunctionName, FunctionSignature> = {
  lower: { params: ['string'], returns: 'string', summary: 'lower case' },
  upper: { params: ['string'], returns: 'string', summary: 'upper case' },
  trim: {
    params: ['string'],
    returns: 'string',
    summary: 'strip leading and trailing spaces',
  },
  length: {
    params: ['string'],
    returns: 'number',
    summary: 'number of characters',
  },
  substring: {
    params: ['string', 'number', 'number'],
    optional: 1,
    returns: 'string',
    summary: 'substring(s, start[, length]); start is 1-based',
  },
  replace: {
    params: ['string', 'string', 'string'],
    returns: 'string',
    summary: 'replace(s, search, replacement): every occurrence',
  },
  concat: {
    params: ['any'],
    rest: 'any',
    returns: 'string',
    summary: 'concatenation as text; NULL if any argument is NULL',
  },
  coalesce: {
    params: ['any'],
    rest: 'any',
    returns: firstKnownType,
    summary: 'first argument that is not NULL',
  },
  abs: { params: ['number'], returns: 'number', summary: 'absolute value' },
  round: {
    params: ['number', 'number'],
    optional: 1,
    returns: 'number',
    summary: 'round(x[, digits]), half away from zero',
  },
  floor: { params: ['number'], returns: 'number', summary: 'round down' },
  ceil: { params: ['number'], returns: 'number', summary: 'round up' },
  date_trunc: {
    params: ['string', 'temporal'],
    returns: 'timestamp',
    literalArgs: { 0: DATE_TRUNC_UNITS },
    summary: `date_trunc('unit', t) with unit one of ${DATE_TRUNC_UNITS.join(
      ', ',
    )}`,
  },
  date_add: {
    params: ['temporal', 'number'],
    returns: 'date',
    summary: 'date_add(d, days): the date `days` days after d',
  },
  datediff: {
    params: ['temporal', 'temporal'],
    returns: 'number',
    summary: 'datediff(end, start): days from start to end',
  },
  current_date: {
    params: [],
    returns: 'date',
    bareWord: true,
    summary: 'the date the run started',
  },
  current_timestamp: {
    params: [],
    returns: 'timestamp',
    bareWord: true,
    summary: 'the time the run started',
  },
  year: { params: ['temporal'], returns: 'number', summary: 'year of t' },
  month: { params: ['temporal'], returns: 'number', summary: 'month 1-12' },
  day: { params: ['temporal'], returns: 'number', summary: 'day of month' },
  hour: { params: ['temporal'], returns: 'number', summary: 'hour 0-23' },
};

/** The allow-listed function names, for messages and suggestions. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** Narrows a lower-cased name to an allow-listed function name. */
export function isFunctionName(name: string): name is FunctionName {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

/** The smallest and largest number of arguments a function takes. */
export function arityOf(signature: FunctionSignature): {
  min: number;
  max: number;
} {
  const max = signature.rest ? Infinity : signature.params.length;
  return { min: signature.params.length - (signature.optional ?? 0), max };
}

/** The parameter type of argument `index`. */
export function paramTypeAt(
  signature: FunctionSignature,
  index: number,
): ParamType {
  return signature.params[index] ?? signature.rest ?? 'any';
}
