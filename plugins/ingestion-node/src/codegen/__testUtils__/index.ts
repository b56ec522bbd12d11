import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Parses Python source with the local python3 (`ast.parse`) and returns the syntax error, if any.
 */
export function pythonSyntaxError(source: string): string | undefined {
  const result = spawnSync(
    'python3',
    ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'],
    { input: source, encoding: 'utf8' },
  );
  if (result.error) {
    throw result.error;
  }
  return result.status === 0 ? undefined : result.stderr;
}

/**
 * Runs a Python script (with optional standard input) and returns what it prints.
 */
export function runPython(script: string, input?: string): string {
  const result = spawnSync('python3', ['-c', script], {
    input,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`python3 failed: ${result.stderr}`);
  }
  return result.stdout;
}

const GOLDEN_DIR = path.resolve(__dirname, '..', '__golden__');

/**
 * Compares generated output with `__golden__/<name>`; `UPDATE_GOLDEN=1` rewrites the file instead.
 */
export function expectGolden(name: string, content: string): void {
  const file = path.join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return;
  }
  if (!fs.existsSync(file)) {
    throw new Error(
      `Missing golden file ${name}; run the tests with UPDATE_GOLDEN=1 to create it`,
    );
  }
  expect(content).toBe(fs.readFileSync(file, 'utf8'));
}
