// Words for a transfer in progress.
import { byteSize } from '../shared/byteSize';

/** `1.2 MiB of 4 MiB (30%)` when the size is known, else `1.2 MiB` (byteSize). */
export function progressText(receivedBytes: number, totalBytes?: number): string {
  if (totalBytes === undefined || totalBytes <= 0) {
    return byteSize(receivedBytes);
  }
  const percent = Math.min(100, Math.floor((receivedBytes / totalBytes) * 100));
  return `${byteSize(receivedBytes)} of ${byteSize(totalBytes)} (${percent}%)`;
}
