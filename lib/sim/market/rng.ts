/**
 * Deterministic randomness addressed by keys: `hashSeed(seed, conId, day, ...)` gives a 32-bit seed
 * for one piece of the market (a day of one instrument, a minute of it...), and `Random` draws a
 * sequence from it. Any piece can thus be rebuilt alone, in any order, with the same numbers.
 */

/** Mixes integers into one 32-bit seed (murmur3's finalizer over a running combination). */
export function hashSeed(...keys: number[]): number {
  let h = 0x9e3779b9;
  for (const key of keys) {
    // Split wide integers (epoch days, conIds above 2^32) so no bits are lost.
    const low = key | 0;
    const high = Math.floor(key / 4294967296) | 0;
    h = Math.imul(h ^ low, 0x85ebca6b);
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h ^ high, 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small fast generator (mulberry32) with uniform and normal draws. */
export class Random {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    let u = this.next();
    while (u <= 1e-12) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
}
