/**
 * A three.js scene built from a compiled MuJoCo model: one mesh per visible geom (plane, sphere, capsule,
 * ellipsoid, cylinder, box, mesh), coloured from geom_rgba / mat_rgba (linear RGB), lit from the SceneSpec,
 * with poses copied from data.geom_xpos / geom_xmat every frame (allocation-free).
 * Imports three.js and mujoco-js types only; must not import React or ORT.
 */
import type { MjData, MjModel } from 'mujoco-js';
import {
  AmbientLight,
  BoxGeometry,
  BufferAttribute,
  BufferGeometry,
  CapsuleGeometry,
  Color,
  CylinderGeometry,
  DirectionalLight,
  DoubleSide,
  FrontSide,
  type Group,
  HemisphereLight,
  type Material,
  Mesh,
  MeshStandardMaterial,
  PlaneGeometry,
  Scene,
  SphereGeometry,
  Vector3,
} from 'three';
import type { LightSpec } from '../core/types';
import { createMujocoRoot, mjToThree } from './frames';

/** MuJoCo mjtGeom values used here. */
const GEOM = { plane: 0, sphere: 2, capsule: 3, ellipsoid: 4, cylinder: 5, box: 6, mesh: 7 } as const;
/** MuJoCo shows geom groups 0–2 by default; higher groups are collision-only by convention. */
const MAX_VISIBLE_GROUP = 2;
/** Half-size used for an infinite plane (size 0), metres. */
const INFINITE_PLANE_HALF = 4;
/** Default key-light shadow map resolution, texels per side (what the model camera renders with). */
export const SHADOW_MAP_SIZE = 1024;
/** Scene background, sRGB hex. */
export const SCENE_BACKGROUND = 0x1b1f27;

const _lightDir = new Vector3();
const _lightTarget = new Vector3();

export interface MujocoSceneOptions {
  /** Cast and receive shadows from the key light. @default true */
  shadows?: boolean;
}

/** The MjModel fields a MujocoScene reads (an MjModel has them; sceneModelOf copies them for a worker). */
export const SCENE_MODEL_FIELDS = [
  'geom_type',
  'geom_size',
  'geom_group',
  'geom_rgba',
  'geom_matid',
  'geom_dataid',
  'mat_rgba',
  'name_geomadr',
  'names',
  'mesh_vertadr',
  'mesh_vertnum',
  'mesh_faceadr',
  'mesh_facenum',
  'mesh_vert',
  'mesh_face',
] as const;

/** What a MujocoScene is built from: an MjModel, or plain copies of its fields (structured-cloneable). */
export type SceneModel = { ngeom: number } & Record<(typeof SCENE_MODEL_FIELDS)[number], ArrayLike<number>>;

/** The geom poses a MujocoScene copies: geom_xpos [ngeom×3], geom_xmat [ngeom×9] row-major. */
export interface GeomPoses {
  geom_xpos: ArrayLike<number>;
  geom_xmat: ArrayLike<number>;
}

/** Plain copies of the fields of `model` a MujocoScene needs (to build the same scene in a worker). */
export function sceneModelOf(model: MjModel | SceneModel): SceneModel {
  const m = model as unknown as Record<string, ArrayLike<number> & { slice(): ArrayLike<number> }>;
  const out: Record<string, unknown> = { ngeom: model.ngeom };
  for (const f of SCENE_MODEL_FIELDS) out[f] = m[f]!.slice();
  return out as SceneModel;
}

/** Renderable view of one MjModel. Rebuild it when the sim compiles a new model. */
export class MujocoScene {
  readonly scene = new Scene();
  /** Children are in MuJoCo world coordinates (see frames.ts). */
  readonly root: Group = createMujocoRoot();
  readonly model: MjModel | SceneModel;
  /** Mesh per geom index, null for geoms that are not drawn. */
  private readonly geomMeshes: (Mesh | null)[] = [];
  private readonly geometries: BufferGeometry[] = [];
  private readonly materials = new Map<string, Material>();
  private readonly keyLight = new DirectionalLight(0xffffff, 2.2);
  private readonly hemiLight = new HemisphereLight(0xdfe8ff, 0x3a3630, 0.6);
  private readonly ambientLight = new AmbientLight(0xffffff, 0.2);

  constructor(model: MjModel | SceneModel, options: MujocoSceneOptions = {}) {
    this.model = model;
    const shadows = options.shadows ?? true;
    this.scene.background = new Color(SCENE_BACKGROUND);
    this.scene.add(this.root, this.keyLight, this.keyLight.target, this.hemiLight, this.ambientLight);
    this.keyLight.castShadow = shadows;
    const sc = this.keyLight.shadow.camera;
    sc.left = -1.2;
    sc.right = 1.2;
    sc.top = 1.2;
    sc.bottom = -1.2;
    sc.near = 0.1;
    sc.far = 6;
    this.keyLight.shadow.mapSize.set(SHADOW_MAP_SIZE, SHADOW_MAP_SIZE);
    this.keyLight.shadow.bias = -0.0005;
    this.keyLight.shadow.normalBias = 0.01;
    this.buildGeoms(shadows);
    this.setLight({ dir: [-0.4, 0.3, -1], intensity: 1, ambient: 0.35 });
  }

  /**
   * Key light pointing along `light.dir` (MuJoCo world frame) at the table centre `center` (MuJoCo frame,
   * metres), scaled by `light.intensity`; hemisphere + ambient fill from `light.ambient` in [0, 1].
   */
  setLight(light: LightSpec, center: readonly number[] = [0.45, 0, 0]): void {
    mjToThree(_lightDir, light.dir[0], light.dir[1], light.dir[2]).normalize();
    mjToThree(_lightTarget, center[0] ?? 0, center[1] ?? 0, center[2] ?? 0);
    this.keyLight.position.copy(_lightTarget).addScaledVector(_lightDir, -2.5);
    this.keyLight.target.position.copy(_lightTarget);
    this.keyLight.target.updateMatrixWorld();
    this.keyLight.intensity = 2.2 * light.intensity;
    this.hemiLight.intensity = 1.2 * light.ambient;
    this.ambientLight.intensity = 0.4 * light.ambient;
  }

  /** Copy every drawn geom's world pose from `data` (geom_xpos [ngeom×3], geom_xmat [ngeom×9] row-major). */
  update(data: MjData | GeomPoses): void {
    const xpos = data.geom_xpos as Float64Array;
    const xmat = data.geom_xmat as Float64Array;
    const meshes = this.geomMeshes;
    for (let i = 0; i < meshes.length; i++) {
      const mesh = meshes[i];
      if (!mesh) continue;
      const p = 3 * i;
      const m = 9 * i;
      // three.js Matrix4.set takes row-major arguments, like MuJoCo's xmat.
      mesh.matrix.set(
        xmat[m]!,
        xmat[m + 1]!,
        xmat[m + 2]!,
        xpos[p]!,
        xmat[m + 3]!,
        xmat[m + 4]!,
        xmat[m + 5]!,
        xpos[p + 1]!,
        xmat[m + 6]!,
        xmat[m + 7]!,
        xmat[m + 8]!,
        xpos[p + 2]!,
        0,
        0,
        0,
        1,
      );
    }
    this.root.updateMatrixWorld(true);
  }

  /**
   * Resolution of the key light's shadow map, texels per side (default 1024). A view that may look
   * coarser (the main view on a software rasterizer) sets it lower; the next render rebuilds the map.
   */
  setShadowMapSize(size: number): void {
    const shadow = this.keyLight.shadow;
    if (shadow.mapSize.x === size && shadow.mapSize.y === size) return;
    shadow.mapSize.set(size, size);
    shadow.map?.dispose();
    shadow.map = null;
  }

  /** Number of geoms drawn (for tests and the status bar). */
  get drawnGeomCount(): number {
    return this.geomMeshes.reduce((n, m) => n + (m ? 1 : 0), 0);
  }

  dispose(): void {
    for (const g of this.geometries) g.dispose();
    for (const m of this.materials.values()) m.dispose();
    this.geometries.length = 0;
    this.materials.clear();
    this.keyLight.shadow.map?.dispose();
    this.scene.clear();
  }

  private buildGeoms(shadows: boolean): void {
    const m = this.model;
    const types = m.geom_type as Int32Array;
    const sizes = m.geom_size as Float64Array;
    const groups = m.geom_group as Int32Array;
    for (let i = 0; i < m.ngeom; i++) {
      const type = types[i]!;
      const rgba = this.geomRgba(i);
      const group = groups[i] ?? 0;
      const geometry =
        rgba[3] > 0 && group <= MAX_VISIBLE_GROUP
          ? this.makeGeometry(type, sizes[3 * i]!, sizes[3 * i + 1]!, sizes[3 * i + 2]!, i)
          : null;
      if (!geometry) {
        this.geomMeshes.push(null);
        continue;
      }
      this.geometries.push(geometry);
      const mesh = new Mesh(geometry, this.material(rgba, type === GEOM.plane));
      mesh.matrixAutoUpdate = false;
      mesh.name = this.geomName(i);
      mesh.castShadow = shadows && type !== GEOM.plane;
      mesh.receiveShadow = shadows;
      this.root.add(mesh);
      this.geomMeshes.push(mesh);
    }
  }

  /** MuJoCo's rule: a material's rgba applies when the geom's own rgba was left at the default. */
  private geomRgba(i: number): [number, number, number, number] {
    const g = this.model.geom_rgba as Float32Array;
    const rgba: [number, number, number, number] = [g[4 * i]!, g[4 * i + 1]!, g[4 * i + 2]!, g[4 * i + 3]!];
    const matId = (this.model.geom_matid as Int32Array)[i] ?? -1;
    const isDefault = rgba[0] === 0.5 && rgba[1] === 0.5 && rgba[2] === 0.5 && rgba[3] === 1;
    if (matId >= 0 && isDefault) {
      const mr = this.model.mat_rgba as Float32Array;
      return [mr[4 * matId]!, mr[4 * matId + 1]!, mr[4 * matId + 2]!, mr[4 * matId + 3]!];
    }
    return rgba;
  }

  /** Geom name from the model's packed `names` bytes, or `geom_<i>` when unnamed. */
  private geomName(i: number): string {
    const adr = (this.model.name_geomadr as Int32Array)[i] ?? -1;
    const bytes = this.model.names as Uint8Array;
    let name = '';
    for (let k = adr; k >= 0 && k < bytes.length && bytes[k] !== 0; k++)
      name += String.fromCharCode(bytes[k]!);
    return name || `geom_${i}`;
  }

  private makeGeometry(type: number, s0: number, s1: number, s2: number, i: number): BufferGeometry | null {
    switch (type) {
      case GEOM.plane: {
        const hx = s0 > 0 ? s0 : INFINITE_PLANE_HALF;
        const hy = s1 > 0 ? s1 : INFINITE_PLANE_HALF;
        return new PlaneGeometry(2 * hx, 2 * hy); // XY plane, normal +Z, as in MuJoCo
      }
      case GEOM.sphere:
        return new SphereGeometry(s0, 24, 16);
      case GEOM.ellipsoid:
        return new SphereGeometry(1, 24, 16).scale(s0, s1, s2);
      case GEOM.capsule:
        return new CapsuleGeometry(s0, 2 * s1, 6, 20).rotateX(Math.PI / 2); // three: along Y; MuJoCo: along Z
      case GEOM.cylinder:
        return new CylinderGeometry(s0, s0, 2 * s1, 32).rotateX(Math.PI / 2);
      case GEOM.box:
        return new BoxGeometry(2 * s0, 2 * s1, 2 * s2);
      case GEOM.mesh:
        return this.meshGeometry((this.model.geom_dataid as Int32Array)[i] ?? -1);
      default:
        return null;
    }
  }

  /** Triangle mesh from mesh_vert [nmeshvert×3] and mesh_face [nmeshface×3] (indices relative to the mesh). */
  private meshGeometry(meshId: number): BufferGeometry | null {
    if (meshId < 0) return null;
    const m = this.model;
    const vertAdr = (m.mesh_vertadr as Int32Array)[meshId]!;
    const vertNum = (m.mesh_vertnum as Int32Array)[meshId]!;
    const faceAdr = (m.mesh_faceadr as Int32Array)[meshId]!;
    const faceNum = (m.mesh_facenum as Int32Array)[meshId]!;
    const verts = (m.mesh_vert as Float32Array).slice(3 * vertAdr, 3 * (vertAdr + vertNum));
    const faces = (m.mesh_face as Int32Array).slice(3 * faceAdr, 3 * (faceAdr + faceNum));
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(new Float32Array(verts), 3));
    geometry.setIndex(new BufferAttribute(new Uint32Array(faces), 1));
    geometry.computeVertexNormals();
    return geometry;
  }

  private material(rgba: readonly number[], isPlane: boolean): Material {
    const key = `${rgba.join(',')}|${isPlane}`;
    let mat = this.materials.get(key);
    if (!mat) {
      const [r = 0.5, g = 0.5, b = 0.5, a = 1] = rgba;
      mat = new MeshStandardMaterial({
        color: new Color().setRGB(r, g, b), // MJCF rgba is linear RGB, three's working space
        roughness: isPlane ? 0.95 : 0.6,
        metalness: 0.05,
        transparent: a < 1,
        opacity: a,
        side: isPlane ? DoubleSide : FrontSide,
      });
      this.materials.set(key, mat);
    }
    return mat;
  }
}
