/** Small file-system helpers the CLIs share (eval, bench). Node only. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ROOT } from './playground';

/** Repository-relative when inside the checkout, absolute otherwise. */
export function displayPath(p: string): string {
  const rel = relative(ROOT, p);
  return rel && !rel.startsWith('..') ? rel.split(sep).join('/') : p;
}

/** Bytes of every file under `dir`, recursively. */
export function folderBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const st = statSync(p);
    n += st.isDirectory() ? folderBytes(p) : st.size;
  }
  return n;
}
