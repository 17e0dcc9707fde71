/**
 * The checkout's git commit for the scripts' reports (eval JSON, dataset meta.json): HEAD and whether
 * tracked files differ from it; empty / false outside a git checkout. Node only.
 */
import { execFileSync } from 'node:child_process';
import { ROOT } from './playground';

function git(args: string[]): string {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** `{ commit, commit_dirty }` of the checkout at ROOT (the keys the reports write). */
export function gitCommit(): { commit: string; commit_dirty: boolean } {
  return {
    commit: git(['rev-parse', 'HEAD']),
    commit_dirty: git(['status', '--porcelain', '--untracked-files=no']).length > 0,
  };
}
