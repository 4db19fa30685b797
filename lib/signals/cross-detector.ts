/**
 * Cross detection with backtrader's CrossOver semantics: an up cross is a bar where a > b while the
 * last bar on which a and b differed had a < b (and the mirror for a down cross). A bar where they
 * are equal is never a cross and does not erase the previous relation, so "below, equal, above" is
 * one up cross on the "above" bar; the very first compared bar has no previous relation and cannot
 * be a cross. Missing values are not fed here (the caller skips them), so they neither cross nor
 * change the remembered relation.
 */
export type Relation = -1 | 0 | 1;

export class CrossDetector {
  private lastNonZero: Relation = 0;

  /** +1 on an up cross, -1 on a down cross, 0 otherwise. */
  next(a: number, b: number): Relation {
    const diff = a - b;
    const relation: Relation = diff > 0 ? 1 : diff < 0 ? -1 : 0;
    let cross: Relation = 0;
    if (relation === 1 && this.lastNonZero === -1) cross = 1;
    else if (relation === -1 && this.lastNonZero === 1) cross = -1;
    if (relation !== 0) this.lastNonZero = relation;
    return cross;
  }

  /** An independent copy (a forming bar is compared on a copy, see lib/messages/forming). */
  fork(): CrossDetector {
    const copy = new CrossDetector();
    copy.lastNonZero = this.lastNonZero;
    return copy;
  }

  /** The last non-equal relation: 1 (a above b), -1 (below), 0 (never differed yet). */
  get regime(): Relation {
    return this.lastNonZero;
  }
}
