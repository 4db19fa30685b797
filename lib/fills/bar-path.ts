/**
 * How the engine walks through a bar. A bar only tells open, high, low and close, not the order in
 * which high and low happened, so every order is filled against the path that is worse for its
 * holder: open, then the adverse extreme, then the favourable one, then the close. For a SELL order
 * (closing a long, or selling short) that is open -> low -> high -> close; for a BUY order
 * open -> high -> low -> close. So a protective stop and a take-profit both reached in one bar fill the
 * stop, and a trailing stop is checked against the low before the high can raise it.
 *
 * Prices move continuously between the four points: a level crossed inside a segment fills at the
 * level, a level already passed at the open (a gap) fills at the open.
 *
 * Positions along the path are numbers from 0 (the open) to 3 (the close): segment index plus the
 * fraction of the segment travelled. The engine orders fills within a bar by them.
 */
export class BarPath {
  /** The four points: start (open, or a parent's fill price), adverse extreme, favourable extreme, close. */
  readonly p = new Float64Array(4);
  /** Result of the last successful search: price, position along the path, and segment index. */
  price = NaN;
  pos = NaN;
  seg = 0;

  set(start: number, adverse: number, favourable: number, close: number): void {
    const p = this.p;
    p[0] = start;
    p[1] = adverse;
    p[2] = favourable;
    p[3] = close;
  }

  /** Position of `x` on segment `i` (0..2). */
  posOn(i: number, x: number): number {
    const a = this.p[i];
    const b = this.p[i + 1];
    if (b === a) return i;
    const f = (x - a) / (b - a);
    return i + (f < 0 ? 0 : f > 1 ? 1 : f);
  }

  /**
   * First point at or after price `from` on segment `seg` where the price is >= `level` (up) or
   * <= `level` (down). `from` itself fills at `from`; a later crossing fills at `level`.
   */
  cross(seg: number, from: number, level: number, up: boolean): boolean {
    const p = this.p;
    if (up ? from >= level : from <= level) {
      this.price = from;
      this.seg = seg;
      this.pos = seg === 0 && from === p[0] ? 0 : this.posOn(seg < 3 ? seg : 2, from);
      return true;
    }
    for (let i = seg; i < 3; i++) {
      const b = p[i + 1];
      if (up ? b >= level : b <= level) {
        this.price = level;
        this.seg = i;
        this.pos = this.posOn(i, level);
        return true;
      }
    }
    return false;
  }
}
