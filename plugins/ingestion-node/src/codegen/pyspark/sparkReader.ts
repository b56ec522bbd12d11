/**
 * The building blocks of the dataset readers' Python: secrets from a connection's scope and the
 * `spark.read` chain with one option per line.
 */
import { pyStr } from '../python';

export function secret(scope: string, key: string): string {
  return `dbutils.secrets.get(scope=${pyStr(scope)}, key=${pyStr(key)})`;
}

/** `into = (head .option(k, v)... tail)`, one option (and one tail call) per line. */
export function reader(
  into: string,
  head: string,
  options: Array<[string, string]>,
  ...tail: string[]
): string[] {
  return [
    `${into} = (`,
    `    ${head}`,
    ...options.map(([key, value]) => `    .option(${pyStr(key)}, ${value})`),
    ...tail.map(call => `    ${call}`),
    ')',
  ];
}

/** Reader options whose values are plain strings. */
export const stringOptions = (options: Record<string, string>) =>
  Object.entries(options).map(
    ([key, value]) => [key, pyStr(value)] as [string, string],
  );
