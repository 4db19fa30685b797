/**
 * The shortcut for a CSV bar row as nearly every file writes it: one walk along the row reads its cells
 * where they stand in the text (no line, cell or trimmed substring is made) and finds its line end:
 * numbers through PlainDecimalReader, times through commonTime.
 *
 * It only ever says "this row is plain, here are its values" or "not plain": a row with anything else
 * (a space or a lone quote around a cell, a required cell empty or missing, a time or number in another
 * spelling, high below low, a bad value, a blank line) is left to the general reader in bar-file.ts,
 * which then gives exactly the values or the error it always gave. So the shortcut never changes a result.
 */
import type { BarValues } from './bar-row';
import { commonTime, NOT_COMMON } from './common-times';
import { PlainDecimalReader } from './plain-decimal';

/** The fields of a bar row, in the order the reader is given their column indices. */
export const CSV_BAR_FIELDS = ['time', 'open', 'high', 'low', 'close', 'volume', 'wap', 'count'] as const;

const TIME = 0;
const VOLUME = 5;
const WAP = 6;
const COUNT = 7;
/** Bits of the fields a row must have: time, open, high, low, close. */
const REQUIRED = 0b11111;

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** The answer for a row the shortcut leaves to the general reader. */
export const NOT_PLAIN = -1;

export class PlainCsvRow {
  /** For each column of the header, the field (index into CSV_BAR_FIELDS) it holds, or -1. */
  private readonly fieldOfColumn: Int8Array;
  private readonly delimiter: number;
  /** The values of the row being read, by field; valid where `found` has the field's bit. */
  private readonly values = new Float64Array(CSV_BAR_FIELDS.length);
  private readonly decimal = new PlainDecimalReader();

  /** The text rows are read from (a whole CSV, or a piece of one). */
  text = '';

  /** `columns[field]` is the header's column index of each field of CSV_BAR_FIELDS (-1 when it has none). */
  constructor(
    delimiter: string,
    columnCount: number,
    columns: readonly number[],
  ) {
    this.delimiter = delimiter.charCodeAt(0);
    this.fieldOfColumn = new Int8Array(columnCount).fill(-1);
    columns.forEach((column, field) => {
      if (column >= 0 && column < columnCount) this.fieldOfColumn[column] = field;
    });
  }

  /**
   * Reads the row that starts at `start` into `out`. Returns where its line ends (the index of its "\n",
   * or the text's length for a last line without one), or NOT_PLAIN (`out` is then unspecified).
   */
  read(start: number, out: BarValues): number {
    const { text, delimiter, fieldOfColumn, values } = this;
    const length = text.length;
    const columns = fieldOfColumn.length;
    // Bits of the fields whose cell had a value (an empty cell has none).
    let found = 0;
    let at = start;
    for (let column = 0; ; column++) {
      const field = column < columns ? fieldOfColumn[column]! : -1;
      const quoted = at < length && text.charCodeAt(at) === QUOTE;
      if (field > TIME) {
        // A number, read in the same walk; "" or nothing at all is an empty cell (allowed where optional).
        const cellStart = quoted ? at + 1 : at;
        const value = this.decimal.read(text, cellStart);
        at = this.decimal.end;
        if (!Number.isNaN(value)) {
          values[field] = value;
          found |= 1 << field;
        } else if (at !== cellStart || field < VOLUME) {
          return NOT_PLAIN;
        }
        if (quoted) {
          if (at >= length || text.charCodeAt(at) !== QUOTE) return NOT_PLAIN;
          at++;
        }
      } else {
        // The time, or a cell no field is read from: first its end, then (the time) what it says.
        const cellStart = at;
        let code = at < length ? text.charCodeAt(at) : LF;
        while (code !== delimiter && code !== LF && code !== CR) code = ++at < length ? text.charCodeAt(at) : LF;
        if (field === TIME) {
          const time = !quoted ? commonTime(text, cellStart, at) : at - cellStart >= 2 && text.charCodeAt(at - 1) === QUOTE ? commonTime(text, cellStart + 1, at - 1) : NOT_COMMON;
          if (time === NOT_COMMON) return NOT_PLAIN;
          values[TIME] = time;
          found |= 1 << TIME;
        }
      }
      // The cell ends at a delimiter or at the line's end, or the row is not plain.
      if (at >= length) return this.finish(found, out) ? length : NOT_PLAIN;
      const code = text.charCodeAt(at);
      if (code === LF) return this.finish(found, out) ? at : NOT_PLAIN;
      if (code === CR) {
        // "\r" ends a line only right before "\n", as the general reader's line split has it.
        if (at + 1 >= length || text.charCodeAt(at + 1) !== LF) return NOT_PLAIN;
        return this.finish(found, out) ? at + 1 : NOT_PLAIN;
      }
      if (code !== delimiter) return NOT_PLAIN;
      if (column + 1 >= columns) {
        // Cells past the header's are read by no one: on to the line end.
        const newline = text.indexOf('\n', at);
        return this.finish(found, out) ? (newline < 0 ? length : newline) : NOT_PLAIN;
      }
      at++;
    }
  }

  /** The row's values into `out`, if every required one is there and high is not below low. */
  private finish(found: number, out: BarValues): boolean {
    const values = this.values;
    if ((found & REQUIRED) !== REQUIRED || values[2]! < values[3]!) return false;
    out.time = values[0]!;
    out.open = values[1]!;
    out.high = values[2]!;
    out.low = values[3]!;
    out.close = values[4]!;
    out.volume = found & (1 << VOLUME) ? values[VOLUME]! : 0;
    out.wap = found & (1 << WAP) ? values[WAP]! : null;
    out.count = found & (1 << COUNT) ? values[COUNT]! : null;
    return true;
  }
}
