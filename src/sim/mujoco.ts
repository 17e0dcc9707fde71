/**
 * Loads the official MuJoCo WASM module (npm `mujoco-js`) once per realm, in Node and the browser,
 * and writes MJCF text into its in-memory file system. The only place that imports `mujoco-js`'s factory.
 */
import type { MainModule } from 'mujoco-js';

let loading: Promise<MainModule> | null = null;

/** The shared MuJoCo module; the first call instantiates it (~0.1–0.3 s), later calls reuse it. */
export function loadMujoco(): Promise<MainModule> {
  if (!loading) {
    loading = import('mujoco-js')
      .then((mod) => mod.default())
      .catch((err: unknown) => {
        loading = null;
        throw err;
      });
  }
  return loading;
}

const WORK_DIR = '/vla';
let sceneCounter = 0;

/** Write an MJCF string into the module's virtual file system and return its path. */
export function writeSceneFile(mujoco: MainModule, xml: string): string {
  const fs = mujoco.FS;
  try {
    fs.mkdir(WORK_DIR);
  } catch {
    // already exists
  }
  sceneCounter = (sceneCounter + 1) % 4;
  const path = `${WORK_DIR}/scene_${sceneCounter}.xml`;
  fs.writeFile(path, xml);
  return path;
}
