import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

/**
 * The input of an example's first step, with `${{ parameters.x }}` and `${{ steps.a.output.b }}`
 * values replaced as the scaffolder replaces a value that is one expression: by the value itself,
 * and keys whose value is undefined left out. `${{ x | length > 0 }}` is also understood.
 */
export function exampleInput(
  example: TemplateExample,
  context: {
    parameters?: Record<string, unknown>;
    steps?: Record<string, { output: Record<string, unknown> }>;
  } = {},
): Record<string, any> {
  const { steps } = yaml.parse(example.example);
  return JSON.parse(JSON.stringify(steps[0].input), (_key, value) => {
    if (typeof value !== 'string') return value;
    const match = /^\$\{\{\s*([\w.]+)\s*(\|\s*length\s*>\s*0\s*)?\}\}$/.exec(
      value,
    );
    if (!match) return value;
    const found = match[1]
      .split('.')
      .reduce<any>(
        (at, part) => (at === undefined ? undefined : at[part]),
        context,
      );
    if (match[2]) {
      // `x | length > 0`, the test templates use for optional answers.
      return found !== undefined && Object.keys(found).length > 0;
    }
    return found;
  });
}
