// Sizes as the user reads them, one spelling everywhere: progress, "Saved …", and the caps in error messages.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

type Unit = readonly [bytes: number, name: string];
const BYTES: Unit = [1, 'bytes'];
const UNITS: readonly Unit[] = [[GiB, 'GiB'], [MiB, 'MiB'], [KiB, 'KiB'], BYTES];

function unitOf(bytes: number): Unit {
  return UNITS.find(([unit]) => bytes >= unit) ?? BYTES;
}

function inUnit(bytes: number, [unit, name]: Unit, digits: number): string {
  return `${(bytes / unit).toLocaleString('en', { maximumFractionDigits: digits })} ${name}`;
}

/** `999 bytes`, `1.5 KiB`, `5 MiB`, `4 GiB` (1 KiB = 1,024 bytes): a size (bytes) to a tenth of its unit. */
export function byteSize(bytes: number): string {
  return inUnit(bytes, unitOf(bytes), 1);
}

/**
 * Two sizes (bytes) in the unit of the smaller, with as many digits as it takes to tell them apart (up to 3), else in
 * bytes: a size over a cap never reads as equal to it ("4 GiB, more than the 4 GiB").
 */
export function byteSizes(a: number, b: number): [string, string] {
  const unit = unitOf(Math.min(a, b));
  for (let digits = 1; digits <= 3; digits++) {
    const pair: [string, string] = [inUnit(a, unit, digits), inUnit(b, unit, digits)];
    if (pair[0] !== pair[1]) {
      return pair;
    }
  }
  return [inUnit(a, BYTES, 0), inUnit(b, BYTES, 0)];
}
