// The protocol counts cursor positions in Unicode code points; JavaScript strings in UTF-16 units.

export function codePointsToUtf16(text: string, codePoints: number): number {
  let index = 0;
  for (let count = 0; count < codePoints && index < text.length; count++) {
    index += text.codePointAt(index)! > 0xffff ? 2 : 1;
  }
  return index;
}

export function utf16ToCodePoints(text: string, index: number): number {
  return [...text.slice(0, index)].length;
}
