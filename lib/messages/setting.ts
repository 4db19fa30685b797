/**
 * The one order in which a node reads a setting a message may override: the message's value, else the
 * node's setting, else the default. "Not given" is undefined, null or an empty string (the editor saves
 * an empty field as ""), so an empty field or a null in the message falls through to the next.
 */

/** Whether a message or editor value is given: not undefined, null or "". */
export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** `fromMessage` if given, else `fromSettings` if given, else `fallback`. */
export function messageOrSetting<T>(fromMessage: unknown, fromSettings: unknown, fallback: T): unknown {
  if (isGiven(fromMessage)) return fromMessage;
  if (isGiven(fromSettings)) return fromSettings;
  return fallback;
}
