/**
 * The bundled model registry: every `models/<id>/manifest.json` in the repository, read at build time
 * (Vite's import.meta.glob), and the default model id. The files themselves are served from `models/` by
 * the Vite plugin in vite.config.ts (dev, preview) and copied into the build. Must not import React or ORT.
 */

/** The model the app loads when the URL names none. A later issue switches it to the trained policy. */
export const DEFAULT_MODEL_ID = 'vla-tabletop-s';

export interface BundledModel {
  id: string;
  name: string;
  /** Folder URL relative to the page, e.g. `models/fixture-random`. */
  url: string;
  description: string;
}

interface ManifestHead {
  id?: unknown;
  name?: unknown;
  description?: unknown;
}

const manifests = import.meta.glob<ManifestHead>('../../models/*/manifest.json', {
  eager: true,
  import: 'default',
});

/** Bundled models, sorted by id (the folder name is the id used in URLs). */
export const BUNDLED_MODELS: readonly BundledModel[] = Object.entries(manifests)
  .map(([path, m]) => {
    const folder = /models\/([^/]+)\/manifest\.json$/.exec(path)?.[1] ?? '';
    return {
      id: folder,
      name: typeof m.name === 'string' ? m.name : folder,
      url: `models/${folder}`,
      description: typeof m.description === 'string' ? m.description : '',
    };
  })
  .filter((m) => m.id !== '')
  .sort((a, b) => a.id.localeCompare(b.id));

export function bundledModel(id: string): BundledModel | undefined {
  return BUNDLED_MODELS.find((m) => m.id === id);
}

/**
 * What `?model=` / loadModel(urlOrId) names: a bundled id → its folder; anything else is a folder URL
 * (relative to the page or absolute). Returns the URL and the id to show until the manifest says.
 */
export function resolveModelRef(ref: string): { url: string; id: string } {
  const bundled = bundledModel(ref);
  if (bundled) return { url: bundled.url, id: bundled.id };
  const url = ref.replace(/\/manifest\.json$/, '').replace(/\/+$/, '');
  return { url, id: url.split('/').pop() || url };
}
