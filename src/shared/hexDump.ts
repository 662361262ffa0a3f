/** A classic hex dump (pure; the data page and the value documents share it). */

/** 16 bytes a line: offset, hex in two groups of eight, and the printable ASCII. `hex` is lowercase hex. */
export function hexDump(hex: string): string {
  const lines: string[] = [];
  for (let off = 0; off < hex.length / 2; off += 16) {
    const pairs = hex.slice(off * 2, off * 2 + 32).match(/../g) ?? [];
    const hexPart = pairs.map((p, i) => (i === 8 ? ` ${p}` : p)).join(' ');
    const ascii = pairs
      .map((p) => {
        const c = parseInt(p, 16);
        return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
      })
      .join('');
    lines.push(`${off.toString(16).padStart(8, '0')}  ${hexPart.padEnd(48)}  ${ascii}`);
  }
  return lines.join('\n');
}
