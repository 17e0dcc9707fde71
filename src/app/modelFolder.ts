/**
 * Reading a model folder the user picks (`<input type=file webkitdirectory>`) or drops on the page into a
 * `{ path → Blob }` map for a `{ files }` ModelSource. Paths are relative to the folder, `/`-separated.
 * DOM only; must not import React or ORT.
 */

/** Files of a picked folder (webkitRelativePath "folder/sub/file") → paths without the top folder. */
export function filesFromInput(list: FileList | readonly File[]): {
  files: Record<string, Blob>;
  label: string;
} {
  const files: Record<string, Blob> = {};
  let label = 'local folder';
  for (const f of Array.from(list)) {
    const rel = f.webkitRelativePath || f.name;
    const parts = rel.split('/');
    if (parts.length > 1) label = parts[0] ?? label;
    files[parts.length > 1 ? parts.slice(1).join('/') : rel] = f;
  }
  return { files, label };
}

function readEntries(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: Record<string, Blob>): Promise<void> {
  if (entry.isFile) {
    out[prefix + entry.name] = await entryFile(entry as FileSystemFileEntry);
  } else if (entry.isDirectory) {
    for (const child of await readEntries(entry as FileSystemDirectoryEntry)) {
      await walk(child, `${prefix}${entry.name}/`, out);
    }
  }
}

/**
 * Files of a drop: one dropped folder → its files relative to it; loose dropped files → by name.
 * Returns null when the drop holds no files.
 */
export async function filesFromDrop(
  dt: DataTransfer,
): Promise<{ files: Record<string, Blob>; label: string } | null> {
  const entries = Array.from(dt.items)
    .map((it) => (it.kind === 'file' ? it.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  const files: Record<string, Blob> = {};
  if (entries.length === 1 && entries[0]!.isDirectory) {
    const dir = entries[0]!;
    for (const child of await readEntries(dir as FileSystemDirectoryEntry)) await walk(child, '', files);
    return { files, label: dir.name };
  }
  if (entries.length > 0) {
    for (const e of entries) await walk(e, '', files);
  } else {
    for (const f of Array.from(dt.files)) files[f.name] = f;
  }
  return Object.keys(files).length > 0 ? { files, label: 'dropped files' } : null;
}

/** Whether a drag carries files (so the page can show a drop target). */
export function dragHasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}
