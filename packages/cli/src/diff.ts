/**
 * A unified-style line diff (longest common subsequence): `-` lines only in `before`, `+` lines
 * only in `after`, with `context` unchanged lines around each change. Empty when equal.
 */
export function lineDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
  context = 3,
): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] =
        a[i] === b[j]
          ? lcs[i + 1][j + 1] + 1
          : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const lines: Array<{ op: ' ' | '-' | '+'; text: string }> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      lines.push({ op: ' ', text: a[i] });
      i++;
      j++;
    } else if (
      i < a.length &&
      (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])
    ) {
      // Removed lines before added ones, as diff prints them.
      lines.push({ op: '-', text: a[i] });
      i++;
    } else {
      lines.push({ op: '+', text: b[j] });
      j++;
    }
  }
  if (!lines.some(l => l.op !== ' ')) return '';
  const keep = lines.map((_line, index) =>
    lines
      .slice(Math.max(0, index - context), index + context + 1)
      .some(l => l.op !== ' '),
  );
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let skipped = false;
  lines.forEach((line, index) => {
    if (keep[index]) {
      if (skipped) out.push('@@ … @@');
      skipped = false;
      out.push(`${line.op}${line.text}`);
    } else {
      skipped = true;
    }
  });
  return `${out.join('\n')}\n`;
}
