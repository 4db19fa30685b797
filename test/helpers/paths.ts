import { join } from 'node:path';

/** The repository root, seen from the compiled test files in dist/test/helpers. */
export const repoRoot = join(__dirname, '..', '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const distNodesDir = join(repoRoot, 'dist', 'nodes');
export const examplesDir = join(repoRoot, 'examples');
/** The bar files the example flows replay (outside examples/, so Import > Examples lists only flows). */
export const dataDir = join(repoRoot, 'data');
