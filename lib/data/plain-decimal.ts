/**
 * Plain decimals ("101.44", "-0.5", "1444", ".5", "7.") read from character codes where they stand in a
 * text, without a substring and without Number()'s general parser, and exactly equal to Number(text).
 *
 * Why exact: with at most 15 digits the digits form an integer below 2^53 (held exactly in a double),
 * and 10^k for k up to 15 is a double exactly too; one IEEE division of two exact values is correctly
 * rounded, which is what Number() gives for the decimal (the "fast path" of Clinger's 1990 paper). Any
 * other spelling (more digits, an exponent, "+", hex, spaces, Infinity) is not plain, and the caller reads
 * it with Number() as before.
 */

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The most digits whose integer is always below 2^53. */
const MAX_DIGITS = 15;

/** Reads the plain decimal at the start of a piece of text; a reader is reused, one number after another. */
export class PlainDecimalReader {
  /** Where the last read stopped: the index of the first character after the number. */
  end = 0;

  /**
   * The value of the longest "-digits.digits" (sign, point and either side's digits optional, one digit
   * at least) starting at `start`, or NaN when there is none or it has more than 15 digits. The caller
   * decides whether text[start, end) was the whole of what it wanted read.
   */
  read(text: string, start: number): number {
    const length = text.length;
    let at = start;
    const negative = at < length && text.charCodeAt(at) === 45;
    if (negative) at++;
    const digitsStart = at;
    let mantissa = 0;
    // Where the point is, or -1 before one is seen.
    let point = -1;
    for (; at < length; at++) {
      const digit = text.charCodeAt(at) - 48;
      if (digit >= 0 && digit <= 9) mantissa = mantissa * 10 + digit;
      else if (digit === -2 && point < 0) point = at;
      else break;
    }
    this.end = at;
    const digits = at - digitsStart - (point < 0 ? 0 : 1);
    if (digits === 0 || digits > MAX_DIGITS) return NaN;
    const fraction = point < 0 ? 0 : at - point - 1;
    const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction]! : mantissa;
    return negative ? -value : value;
  }
}
