/**
 * Argument helpers of the bench, soak and perf CLIs beyond ./args: flags whose path value is optional
 * (`--json` alone writes to a default file). Node only; imports only node:path.
 */
import { resolve } from 'node:path';

/**
 * Take `flag [path]` out of argv (the path is optional: the next argument unless it starts with `--`).
 * Returns [the path, resolved, or `defaultPath` when the flag stands alone; null without the flag, the rest].
 */
export function takeOptionalPath(
  argv: readonly string[],
  flag: string,
  defaultPath: string,
): [string | null, string[]] {
  const i = argv.indexOf(flag);
  if (i < 0) return [null, [...argv]];
  const next = argv[i + 1];
  const hasPath = next !== undefined && !next.startsWith('--');
  const rest = [...argv.slice(0, i), ...argv.slice(i + (hasPath ? 2 : 1))];
  return [resolve(hasPath ? next : defaultPath), rest];
}
