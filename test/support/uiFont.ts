// How wide text is drawn in the UI tests' workbench: VS Code's tree uses `system-ui`, which headless Chromium on
// this Linux resolves to DejaVu Sans — the widest of the common UI fonts (Segoe UI and San Francisco are narrower),
// so a row that fits here fits there too. The advance widths come from Chromium's canvas measureText; no kerning.

const UNITS_PER_EM = 2048;
/** Advance widths in font units of ' ' (U+0020) to '~' (U+007E). */
const ASCII_UNITS = [
  651, 821, 942, 1716, 1303, 1946, 1597, 563, 799, 799, 1024, 1716, 651, 739, 651, 690, 1303, 1303, 1303, 1303, 1303,
  1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087, 2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540,
  604, 604, 1343, 1141, 1767, 1532, 1612, 1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690,
  799, 1716, 1024, 1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253, 1300,
  1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716,
];
/** The marks the rows use beyond ASCII: the separator and the ellipsis. */
const OTHER_UNITS: Readonly<Record<string, number>> = { '·': 651, '…': 2048 };

/**
 * The width in px of `text` drawn at `fontSize` px. Throws for a character the table lacks, so that a row name with
 * one is not measured as narrower than it is.
 */
export function textWidth(text: string, fontSize: number): number {
  let units = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const width = code >= 0x20 && code <= 0x7e ? ASCII_UNITS[code - 0x20] : OTHER_UNITS[char];
    if (width === undefined) {
      throw new Error(`no width for U+${code.toString(16).toUpperCase().padStart(4, '0')} in "${text}"`);
    }
    units += width;
  }
  return (units * fontSize) / UNITS_PER_EM;
}
