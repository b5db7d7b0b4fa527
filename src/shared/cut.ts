// Text cut to a length in UTF-16 units, never inside a character: the one rule behind every cut that keeps no ellipsis
// of its own (names with a length limit, and redactBounded before its `…`).

/**
 * At most `max` UTF-16 units of `text`, without a high surrogate left at the end (half an emoji, shown as garbage, and
 * a lone surrogate in a path makes VS Code's Uri throw "URI malformed").
 */
export function cutWhole(text: string, max: number): string {
  const cut = text.slice(0, max);
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut;
}
