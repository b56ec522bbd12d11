/** The current month, `YYYY-MM`, in UTC like the cost records. */
export function currentMonth(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** Saves text as a file through the browser's download (a Blob behind an anchor with `download`). */
export function saveText(text: string, fileName: string, type = 'text/csv') {
  const url = URL.createObjectURL(
    new Blob([text], { type: `${type};charset=utf-8` }),
  );
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** File name of a chargeback CSV: the organization, the month and the breakdown. */
export const chargebackFileName = (
  organization: string,
  month: string,
  by: string,
) => `chargeback-${organization}-${month}-by-${by}.csv`;
