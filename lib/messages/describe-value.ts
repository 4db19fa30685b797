/**
 * How an error message quotes a value it was given, for every floor that refuses input (contracts,
 * orders, data requests): strings in quotes, NaN as NaN, a missing field as "nothing", small objects as
 * JSON. It never throws (BigInt, circular objects, objects without a prototype) and stays short.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `a BigInt (${value}n)`;
    case 'undefined':
      return 'nothing';
    case 'symbol':
      return 'a Symbol';
    case 'function':
      return 'a function';
    default:
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? 'an object' : `the object ${text}`;
  } catch {
    return 'an object';
  }
}
