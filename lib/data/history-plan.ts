/**
 * Splits a long history request into chunks IB serves in one request each. Chunk boundaries lie on a
 * fixed grid (multiples of the chunk length since the epoch), so the same range asked again gives the
 * same chunks, and complete chunks can be served from the cache.
 */
import { chunkMsFor, durationText, type BarSize } from './bar-size';

export interface HistoryChunk {
  /** End of the chunk, epoch ms; null means "now" (sent to TWS as an empty end time). */
  endMs: number | null;
  /** IB duration string of the chunk, e.g. "86400 S" or "7 D". */
  duration: string;
  /** True when the chunk ends in the past, so its bars will never change. */
  complete: boolean;
}

export function planChunks(startMs: number, endMs: number, barSize: BarSize, now: number, endIsNow: boolean): HistoryChunk[] {
  const chunkMs = chunkMsFor(barSize);
  const first = Math.floor(startMs / chunkMs) * chunkMs;
  const chunks: HistoryChunk[] = [];
  for (let chunkStart = first; chunkStart < endMs; chunkStart += chunkMs) {
    const chunkEnd = Math.min(chunkStart + chunkMs, endMs);
    const last = chunkEnd === endMs;
    chunks.push({
      endMs: last && endIsNow ? null : chunkEnd,
      duration: durationText(chunkEnd - chunkStart),
      complete: chunkEnd <= now - barSize.ms && !(last && endIsNow),
    });
  }
  return chunks;
}
