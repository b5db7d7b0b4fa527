// Words for a transfer in progress.

/** `812 B`, `4.2 KB`, `12.5 MB`, `1.1 GB` (1 KB = 1,024 bytes), for progress and "saved" messages. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `1.2 MB of 4.0 MB (30%)` when the size is known, else `1.2 MB`. */
export function progressText(receivedBytes: number, totalBytes?: number): string {
  if (totalBytes === undefined || totalBytes <= 0) {
    return formatBytes(receivedBytes);
  }
  const percent = Math.min(100, Math.floor((receivedBytes / totalBytes) * 100));
  return `${formatBytes(receivedBytes)} of ${formatBytes(totalBytes)} (${percent}%)`;
}
