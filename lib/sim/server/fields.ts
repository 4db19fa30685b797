/**
 * Reading fields of a client message and writing fields of an answer, with TWS's conventions:
 * empty = unset, booleans as 0/1, `1.7976931348623157E308` / `2147483647` as unset numbers.
 */

export const UNSET_DOUBLE = Number.MAX_VALUE;
export const UNSET_INTEGER = 2147483647;

/** A field a client sent that does not parse; answered with an error naming the field. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
}

export class FieldReader {
  private index = 0;
  constructor(readonly fields: readonly string[], readonly messageName: string) {}

  get remaining(): number {
    return this.fields.length - this.index;
  }

  str(what: string): string {
    if (this.index >= this.fields.length) {
      throw new FieldError(`${this.messageName}: message ended before field "${what}" (${this.fields.length} fields)`);
    }
    return this.fields[this.index++];
  }

  /** An integer; empty reads as `fallback`. */
  int(what: string, fallback = 0): number {
    const text = this.str(what);
    if (text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value)) throw new FieldError(`${this.messageName}: field "${what}" is not an integer: ${JSON.stringify(text)}`);
    return value;
  }

  /** A number or undefined when empty or IB's "unset" marker. */
  optionalNumber(what: string): number | undefined {
    const text = this.str(what);
    if (text === '') return undefined;
    const value = Number(text.replace(/,/g, ''));
    if (Number.isNaN(value)) throw new FieldError(`${this.messageName}: field "${what}" is not a number: ${JSON.stringify(text)}`);
    if (value === UNSET_DOUBLE || value === UNSET_INTEGER || !Number.isFinite(value)) return undefined;
    return value;
  }

  number(what: string, fallback = 0): number {
    return this.optionalNumber(what) ?? fallback;
  }

  bool(what: string): boolean {
    const text = this.str(what);
    return text !== '' && text !== '0' && text.toLowerCase() !== 'false';
  }

  skip(count: number, what: string): void {
    for (let i = 0; i < count; i++) this.str(`${what} #${i + 1}`);
  }
}

/** Formats a number the way TWS does: plain decimal, no exponent for usual magnitudes. */
export function num(value: number | undefined | null): string {
  if (value === undefined || value === null || Number.isNaN(value)) return '';
  if (Number.isInteger(value)) return String(value);
  // Round away binary noise (0.1 + 0.2) without losing real precision.
  return String(Number(value.toPrecision(12)));
}

/** Unset double as TWS writes it. */
export function maxDouble(value: number | undefined | null): string {
  return value === undefined || value === null || Number.isNaN(value) ? '1.7976931348623157E308' : num(value);
}
