import { runPython } from './index';

/**
 * Every identifier the Python source *uses as code* (names, attribute names, called functions), as opposed to
 * text inside string literals. Injection tests assert that nothing from hostile input shows up here.
 */
export function pythonCodeIdentifiers(source: string): Set<string> {
  const script = [
    'import ast, json, sys',
    'tree = ast.parse(sys.stdin.read())',
    'names = set()',
    'for node in ast.walk(tree):',
    '    if isinstance(node, ast.Name):',
    '        names.add(node.id)',
    '    elif isinstance(node, ast.Attribute):',
    '        names.add(node.attr)',
    '    elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):',
    '        names.add(node.name)',
    '    elif isinstance(node, ast.alias):',
    '        names.add(node.asname or node.name)',
    'print(json.dumps(sorted(names)))',
  ].join('\n');
  return new Set(JSON.parse(runPython(script, source)) as string[]);
}
