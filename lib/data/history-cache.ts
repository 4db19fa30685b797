/**
 * On-disk cache of fetched history, so a backtest run again does not ask TWS again. One JSON file per
 * request identity (contract, end, duration, bar size, data type, RTH); only complete history is stored
 * (a chunk whose end lies in the past), never a range that can still grow.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bar } from '../messages';

interface CacheFile {
  identity: string;
  savedAt: string;
  bars: Bar[];
}

export class HistoryCache {
  hits = 0;
  misses = 0;

  constructor(readonly dir: string) {}

  private file(identity: string): string {
    return join(this.dir, `${createHash('sha1').update(identity).digest('hex')}.json`);
  }

  /** The bars stored for `identity`, or null (missing or unreadable files count as missing). */
  async get(identity: string): Promise<Bar[] | null> {
    try {
      const data = JSON.parse(await readFile(this.file(identity), 'utf8')) as CacheFile;
      if (data.identity !== identity || !Array.isArray(data.bars)) {
        this.misses++;
        return null;
      }
      this.hits++;
      return data.bars;
    } catch {
      this.misses++;
      return null;
    }
  }

  /** Stores bars for `identity` (written to a temp file, then renamed: a crash leaves no half file). */
  async put(identity: string, bars: Bar[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = this.file(identity);
    const temp = `${target}.${process.pid}.${Date.now()}.tmp`;
    const content: CacheFile = { identity, savedAt: new Date().toISOString(), bars };
    await writeFile(temp, JSON.stringify(content));
    await rename(temp, target);
  }
}
