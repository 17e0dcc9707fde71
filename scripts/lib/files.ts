/** Small file-system helpers the CLIs share (eval, bench, soak, perf). Node only. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { replaceSection } from './benchStats';
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

/**
 * A script's report: `report` as pretty JSON to `json`, and `markdown` into the `section` block of the
 * `writeMd` document (created when missing), each when its path is given; `log` names what was written.
 */
export function writeReport(
  paths: { json: string | null; writeMd: string | null },
  section: string,
  report: unknown,
  markdown: () => string,
  log: (line: string) => void,
): void {
  if (paths.json) {
    writeFileSync(paths.json, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${paths.json}`);
  }
  if (paths.writeMd) {
    const doc = existsSync(paths.writeMd) ? readFileSync(paths.writeMd, 'utf8') : '# Benchmarks\n';
    writeFileSync(paths.writeMd, replaceSection(doc, section, markdown()));
    log(`updated the ${section} section of ${paths.writeMd}`);
  }
}
