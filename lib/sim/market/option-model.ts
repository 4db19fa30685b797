/**
 * The simulator's option price model: Black-Scholes-Merton with a cost of carry, which is Black-Scholes
 * for options on stocks and indices (carry = the rate, no dividends) and Black-76 for options on
 * futures (carry 0). Greeks as TWS reports them in tick option computation: delta and gamma per point
 * of the underlying, vega per 1 percentage point of volatility, theta per calendar day.
 */

export type OptionRight = 'C' | 'P';

export interface OptionValue {
  price: number;
  delta: number;
  gamma: number;
  /** Price change for +1 percentage point of volatility. */
  vega: number;
  /** Price change per calendar day. */
  theta: number;
}

/** The annual risk-free rate of the model. */
export const RISK_FREE_RATE = 0.04;
const YEAR_MS = 365 * 86_400_000;

/** Standard normal cumulative distribution (Abramowitz-Stegun 26.2.17, |error| < 7.5e-8). */
export function normCdf(x: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(x));
  const poly = t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  const tail = normPdf(x) * poly;
  return x >= 0 ? 1 - tail : tail;
}

export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/** Years from `time` to `expiry` (epoch ms), never negative. */
export function yearsTo(expiry: number, time: number): number {
  return Math.max(0, expiry - time) / YEAR_MS;
}

/**
 * Value and greeks of a European option. `carry`: the underlying's cost of carry (the rate for a stock
 * without dividends, 0 for a future). At or after expiry: the intrinsic value, delta 0 or +-1.
 */
export function optionValue(right: OptionRight, underlying: number, strike: number, years: number, volatility: number, carry: number, rate = RISK_FREE_RATE): OptionValue {
  const call = right === 'C';
  if (!(years > 0) || !(volatility > 0)) {
    const intrinsic = Math.max(0, call ? underlying - strike : strike - underlying);
    const itm = call ? underlying > strike : underlying < strike;
    return { price: intrinsic, delta: itm ? (call ? 1 : -1) : 0, gamma: 0, vega: 0, theta: 0 };
  }
  const sqrtT = Math.sqrt(years);
  const d1 = (Math.log(underlying / strike) + (carry + (volatility * volatility) / 2) * years) / (volatility * sqrtT);
  const d2 = d1 - volatility * sqrtT;
  const carryDiscount = Math.exp((carry - rate) * years);
  const discount = Math.exp(-rate * years);
  const pdf = normPdf(d1);
  let price: number;
  let delta: number;
  let thetaYear: number;
  const common = (-underlying * carryDiscount * pdf * volatility) / (2 * sqrtT);
  if (call) {
    price = underlying * carryDiscount * normCdf(d1) - strike * discount * normCdf(d2);
    delta = carryDiscount * normCdf(d1);
    thetaYear = common - (carry - rate) * underlying * carryDiscount * normCdf(d1) - rate * strike * discount * normCdf(d2);
  } else {
    price = strike * discount * normCdf(-d2) - underlying * carryDiscount * normCdf(-d1);
    delta = carryDiscount * (normCdf(d1) - 1);
    thetaYear = common + (carry - rate) * underlying * carryDiscount * normCdf(-d1) + rate * strike * discount * normCdf(-d2);
  }
  const gamma = (carryDiscount * pdf) / (underlying * volatility * sqrtT);
  const vega = (underlying * carryDiscount * pdf * sqrtT) / 100;
  return { price: Math.max(0, price), delta, gamma, vega, theta: thetaYear / 365 };
}

/**
 * The volatility at which the model prices the option at `price` (bisection, to 1e-6), or NaN when no
 * volatility between 0.1% and 500% does (a price below intrinsic value or above the underlying).
 */
export function impliedVolatility(right: OptionRight, price: number, underlying: number, strike: number, years: number, carry: number, rate = RISK_FREE_RATE): number {
  if (!(years > 0) || !(price > 0)) return NaN;
  let low = 0.001;
  let high = 5;
  const at = (v: number) => optionValue(right, underlying, strike, years, v, carry, rate).price;
  if (price < at(low) || price > at(high)) return NaN;
  for (let i = 0; i < 60 && high - low > 1e-6; i++) {
    const mid = (low + high) / 2;
    if (at(mid) < price) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/**
 * The simulated volatility surface: the underlying's annualised volatility with a downward skew and a
 * smile in log-moneyness, so out-of-the-money puts are dearer than calls, as in equity index markets.
 */
export function surfaceVolatility(baseVolatility: number, underlying: number, strike: number): number {
  const m = Math.log(strike / underlying);
  return Math.max(0.05, baseVolatility * (1 - 0.6 * m + 2.5 * m * m));
}
