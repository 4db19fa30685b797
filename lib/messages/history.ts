/**
 * The replay mark: a message made from history (bars replayed from a file or a message, bars or ticks
 * from IB's history) carries `msg.history = true`; live data carries none, or false. Computing nodes
 * annotate and pass the same message on, so the mark reaches the order nodes with the signal and the
 * target. On a tws or simulator connection the order path refuses marked messages: history warms
 * indicators up but never becomes live orders. Only a backtest connection fills them.
 */
export const HISTORY_MARK = 'history';

/** Whether a message carries the replay mark. */
export function isHistory(msg: unknown): boolean {
  return !!msg && typeof msg === 'object' && (msg as Record<string, unknown>)[HISTORY_MARK] === true;
}
