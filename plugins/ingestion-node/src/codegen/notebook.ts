/**
 * The Databricks notebook "source" format: a Python file whose cells are separated by `# COMMAND ----------`
 * and whose magic cells (markdown) are commented out with `# MAGIC`, so the file is also plain valid Python.
 */

/** A notebook cell: markdown (rendered through `%md`) or Python code. */
export type NotebookCell =
  | { kind: 'markdown'; lines: string[] }
  | { kind: 'code'; lines: string[] };

const HEADER = '# Databricks notebook source';
const SEPARATOR = '# COMMAND ----------';

/** A markdown cell; each line is stripped of line breaks so it stays inside its `# MAGIC` prefix. */
export function markdownCell(lines: string[]): NotebookCell {
  return {
    kind: 'markdown',
    lines: lines.flatMap(line => line.split(/\r\n|[\r\n\u2028\u2029\u0085]/)),
  };
}

/** A Python code cell. Empty lines at both ends are trimmed so spacing between cells is uniform. */
export function codeCell(lines: string[]): NotebookCell {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start].trim() === '') start++;
  while (end > start && lines[end - 1].trim() === '') end--;
  return { kind: 'code', lines: lines.slice(start, end) };
}

/** Renders cells into the Databricks source format (trailing newline, `\n` line endings). */
export function renderNotebook(cells: NotebookCell[]): string {
  const bodies = cells
    .filter(cell => cell.lines.length > 0)
    .map(cell =>
      cell.kind === 'markdown'
        ? ['%md', ...cell.lines]
            .map(line => (line === '' ? '# MAGIC' : `# MAGIC ${line}`))
            .join('\n')
        : cell.lines.join('\n'),
    );
  return `${HEADER}\n${bodies.join(`\n\n${SEPARATOR}\n\n`)}\n`;
}

/**
 * Escapes text for markdown so names render literally (no links, emphasis, headings or raw HTML from a name).
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~]/g, ch => `\\${ch}`);
}

/** Indents every non-empty line by `levels` × 4 spaces. */
export function indent(lines: string[], levels = 1): string[] {
  const pad = '    '.repeat(levels);
  return lines.map(line => (line === '' ? '' : `${pad}${line}`));
}
