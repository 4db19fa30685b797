/**
 * CSV bars (a header naming the columns, then one bar per line) from a string or from the file's bytes,
 * into whatever a BarSink builds.
 *
 * Rows are read by PlainCsvRow where they are plain (nearly always) and otherwise the general way (split
 * into cells, unquoted, bar-row.ts's checks), which gives the values or the error text naming row, line
 * and column. Lines are found by scanning, never split into an array of lines.
 *
 * From bytes, the text is never made whole: the bytes are read in pieces of whole lines, each turned into
 * a short-lived string one character per byte (latin1, a plain copy). A plain row is ASCII, so it reads
 * the same as through UTF-8; a row left to the general way, and the header, are decoded as UTF-8 from
 * the bytes, so non-ASCII text reads exactly as the string path would have it. A million-row file then
 * costs its bytes and the bars, not also a second copy of it as a string.
 */
import type { Buffer } from 'node:buffer';
import { BarDataError, emptyRaw, emptyValues, readRow, rowError, RowProblem } from './bar-row';
import { said } from '../messages/texts';
import { barOrder, type BarSink, type BarSinkFactory } from './bar-sink';
import { NOT_PLAIN, PlainCsvRow } from './plain-csv-row';

const TIME_COLUMNS = ['date', 'time', 'timestamp', 'datetime'];
const REQUIRED = ['open', 'high', 'low', 'close'] as const;

/** Bytes of text read as one string at a time: small enough for V8's young generation (a regular object, under 128 KB). */
const PIECE_BYTES = 64 * 1024;

/**
 * CSV text into whatever `into` builds. Lines end at "\n" or "\r\n"; line numbers in errors count from
 * the first line of `text`.
 */
export function readBarsCsv<T>(csv: string, source: string, into: BarSinkFactory<T>): T {
  const text = csv.replace(/^\uFEFF/, '');
  const lines = new LineScanner(text, 0);
  let header: string | null = null;
  while (header === null && lines.next()) {
    if (lines.line.trim() !== '') header = lines.line;
  }
  if (header === null) throw new BarDataError(`${source} is empty: expected a header line "date,open,high,low,close,volume" and one bar per line`);
  const reader = new CsvBarReader(header, lines.number, source, into(lines.remaining()));
  if (!lines.done) reader.readLines(text, lines.nextStart, true, null);
  return reader.finish();
}

/**
 * CSV bytes (UTF-8) into whatever `into` builds, as readBarsCsv reads the same text decoded; the header
 * is the line at `start` (see textStart) and is line 1.
 */
export function readBarsCsvBytes<T>(bytes: Buffer, start: number, source: string, into: BarSinkFactory<T>): T {
  const newline = bytes.indexOf(10, start);
  const headerEnd = newline < 0 ? bytes.length : newline;
  const header = bytes.toString('utf8', start, headerEnd > start && bytes[headerEnd - 1] === 13 ? headerEnd - 1 : headerEnd);
  const reader = new CsvBarReader(header, 1, source, into(newline < 0 ? 0 : countLines(bytes, newline + 1)));
  if (newline < 0) return reader.finish();
  for (let at = newline + 1; ; ) {
    const end = pieceEnd(bytes, at);
    const last = end >= bytes.length;
    const offset = at;
    reader.readLines(bytes.toString('latin1', at, end), 0, last, (lineStart, lineEnd) => bytes.toString('utf8', offset + lineStart, offset + lineEnd));
    if (last) return reader.finish();
    at = end;
  }
}

/**
 * Where a text's first line starts, as readBarsText's trimStart() has it for ASCII: past a UTF-8 byte
 * order mark and ASCII whitespace.
 */
export function textStart(bytes: Buffer): number {
  let at = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (at < bytes.length && (bytes[at] === 32 || (bytes[at]! >= 9 && bytes[at]! <= 13))) at++;
  return at;
}

/** Where the piece of whole lines starting at `start` ends: just past a "\n", or at the end of the bytes. */
function pieceEnd(bytes: Buffer, start: number): number {
  if (start + PIECE_BYTES >= bytes.length) return bytes.length;
  const lastNewline = bytes.lastIndexOf(10, start + PIECE_BYTES - 1);
  if (lastNewline >= start) return lastNewline + 1;
  // A line longer than a piece: the piece is that line.
  const newline = bytes.indexOf(10, start + PIECE_BYTES);
  return newline < 0 ? bytes.length : newline + 1;
}

/** How many lines start at or after `from` (the last may be empty). */
function countLines(bytes: Buffer, from: number): number {
  let lines = 1;
  for (let i = bytes.indexOf(10, from); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

/** Reads the lines after a header, piece by piece, into a sink; counts rows and lines across pieces. */
class CsvBarReader<T> {
  private readonly delimiter: string;
  private readonly timeColumn: number;
  private readonly columns: { open: number; high: number; low: number; close: number; volume: number; wap: number; count: number };
  private readonly plain: PlainCsvRow;
  private readonly raw = emptyRaw();
  private readonly values = emptyValues();
  private row = 0;

  /** `linesBefore`: lines before the ones read next (at first the header's line number); counted on as pieces are read. */
  constructor(
    header: string,
    private linesBefore: number,
    private readonly source: string,
    private readonly sink: BarSink<T>,
  ) {
    const delimiter = header.includes(';') && !header.includes(',') ? ';' : header.includes('\t') && !header.includes(',') ? '\t' : ',';
    const names = header.split(delimiter).map((h) => unquote(h).toLowerCase());
    const timeColumn = names.findIndex((h) => TIME_COLUMNS.includes(h));
    const missing = [...(timeColumn < 0 ? ['date'] : []), ...REQUIRED.filter((c) => !names.includes(c))];
    if (missing.length) {
      throw new BarDataError(`${source}: header "${header.trim()}" lacks ${missing.join(', ')}: the first line must name the columns, e.g. date,open,high,low,close,volume`);
    }
    const columns = {
      open: names.indexOf('open'),
      high: names.indexOf('high'),
      low: names.indexOf('low'),
      close: names.indexOf('close'),
      volume: names.indexOf('volume'),
      wap: names.indexOf('wap'),
      count: names.indexOf('count'),
    };
    this.delimiter = delimiter;
    this.timeColumn = timeColumn;
    this.columns = columns;
    this.plain = new PlainCsvRow(delimiter, names.length, [timeColumn, columns.open, columns.high, columns.low, columns.close, columns.volume, columns.wap, columns.count]);
  }

  /**
   * Reads the lines of `text` from `start` on. Unless `last`, the text ends with a "\n" and the next
   * piece goes on from there. `trueLine` gives a line as the source really has it (decoded from the
   * bytes), when `text` is not the source's own text.
   */
  readLines(text: string, start: number, last: boolean, trueLine: ((start: number, end: number) => string) | null): void {
    const lines = new LineScanner(text, start);
    const { plain, values, sink } = this;
    plain.text = text;
    try {
      while (!lines.done && (last || lines.nextStart < text.length)) {
        // Nearly every row is plain; any other line (blank, or a row the shortcut leaves alone) is read
        // the general way, which gives the same values for a row the shortcut could have read too, and
        // the error texts for a bad one.
        const lineEnd = plain.read(lines.nextStart, values);
        if (lineEnd !== NOT_PLAIN) {
          lines.take(lineEnd);
          this.row++;
          sink.add(values);
          continue;
        }
        lines.next();
        const line = trueLine ? trueLine(lines.start, lines.end) : lines.line;
        if (line.trim() === '') continue;
        this.row++;
        this.readGeneral(line);
      }
    } catch (err) {
      if (err instanceof RowProblem) throw rowError(said('bars.csvPlace', { source: this.source, row: this.row, line: this.linesBefore + lines.number }), err);
      throw err;
    }
    this.linesBefore += lines.number;
  }

  /** Everything read, oldest first. */
  finish(): T {
    return this.sink.finish(barOrder(this.sink, this.source));
  }

  private readGeneral(line: string): void {
    const { raw, values, columns } = this;
    const cells = line.split(this.delimiter);
    const cell = (index: number) => (index >= 0 && index < cells.length ? unquote(cells[index]!) : undefined);
    raw.time = cell(this.timeColumn);
    raw.open = cell(columns.open);
    raw.high = cell(columns.high);
    raw.low = cell(columns.low);
    raw.close = cell(columns.close);
    raw.volume = cell(columns.volume);
    raw.wap = cell(columns.wap);
    raw.count = cell(columns.count);
    readRow(raw, values);
    this.sink.add(values);
  }
}

/** A CSV cell as written, without surrounding spaces and one pair of double quotes. */
function unquote(cell: string): string {
  let text = cell.trim();
  if (text.charCodeAt(0) === 34) text = text.slice(1);
  if (text.charCodeAt(text.length - 1) === 34) text = text.slice(0, -1);
  return text;
}

/**
 * The lines of a text one at a time (as split(/\r?\n/) would give them), by index into the text: the
 * current line is text[start, end), made a string only when asked for.
 */
class LineScanner {
  /** Where the current line starts in the text. */
  start = 0;
  /** Where the current line ends, before its line end. */
  end = 0;
  /** 1-based number of the current line. */
  number = 0;
  /** Where the next line starts. */
  nextStart = 0;
  /** No line is left. */
  done = false;

  /** Lines are read from `start` on (the first one there is number 1). */
  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.nextStart = start;
  }

  /** The current line, without its line end. */
  get line(): string {
    return this.text.slice(this.start, this.end);
  }

  next(): boolean {
    if (this.done) return false;
    const newline = this.text.indexOf('\n', this.nextStart);
    this.take(newline < 0 ? this.text.length : newline);
    return true;
  }

  /** Moves to the next line, known to end at `lineEnd` (the index of its "\n", or the text's length). */
  take(lineEnd: number): void {
    const start = this.nextStart;
    this.start = start;
    this.end = lineEnd > start && this.text.charCodeAt(lineEnd - 1) === 13 ? lineEnd - 1 : lineEnd;
    this.number++;
    if (lineEnd >= this.text.length) this.done = true;
    else this.nextStart = lineEnd + 1;
  }

  /** At most how many lines are left (every one could be a bar). */
  remaining(): number {
    if (this.done) return 0;
    let lines = 1;
    for (let i = this.text.indexOf('\n', this.nextStart); i >= 0; i = this.text.indexOf('\n', i + 1)) lines++;
    return lines;
  }
}
