/**
 * Scene generator: (seed, task id) → SceneSpec with the task's referents, 1–4
 * distractors, non-overlapping poses, lighting, table tint and camera jitter.
 * Also the world's fixed dimensions (table, workspace, object sizes, camera) that sim and expert share.
 * Pure and deterministic; must not import DOM, three.js, ORT, React or mujoco.
 */
import { dcos, dsin } from './detMath';
import { mix32, Rng } from './prng';
import {
  formatTask,
  PUSH_DIRECTIONS,
  parseTask,
  TASK_FAMILIES,
  type Task,
  type TaskFamily,
  taskReferents,
} from './task';
import type { CameraSpec, LightSpec, SceneObject, SceneObjectKind, SceneSpec, Vec2, Vec3 } from './types';
import { pushDirectionVector } from './viewFrame';
import { COLORS, CONTAINER_KINDS, type Color } from './vocabulary';

/** Height of the table top (world z, m). The table body lies below it. */
export const TABLE_Z = 0.0;
/** Block: a cube of this half-size (m); resting centre z = TABLE_Z + BLOCK_HALF. */
export const BLOCK_HALF = 0.02;
/** Bowl: outer radius and height (m). */
export const BOWL_RADIUS = 0.065;
export const BOWL_HEIGHT = 0.04;
/** Top of the bowl's floor above the table (m): a block resting in the bowl has centre z ≈ this + BLOCK_HALF. */
export const BOWL_FLOOR = 0.006;
/** Plate: radius and height (m); a block resting on it has centre z ≈ PLATE_HEIGHT + BLOCK_HALF. */
export const PLATE_RADIUS = 0.07;
export const PLATE_HEIGHT = 0.012;
/** Arm base position (world, m), on the table's back edge. */
export const ARM_BASE: Vec3 = [0, 0, 0];
/** Where object footprints are placed (world x, y bounds, m). The whole footprint stays inside. */
export const WORKSPACE = { xMin: 0.3, xMax: 0.65, yMin: -0.28, yMax: 0.28 } as const;
/** Free space kept between two object footprints so the open gripper fits (m). */
export const GRASP_CLEARANCE = 0.035;
/** Minimum centre distance between a put task's block and its container (m). */
export const PUT_MIN_DISTANCE = 0.15;
/** Push corridor: travel kept free and inside the workspace ahead of the block (m)… */
export const PUSH_TRAVEL = 0.15;
/** …and room behind the block for the pusher to start (m). */
export const PUSH_APPROACH = 0.06;
/** Nominal model camera (world frame); scenes jitter it by ±CAMERA_JITTER. */
export const CAMERA_NOMINAL: CameraSpec = { pos: [1.05, 0, 0.55], target: [0.45, 0, 0], fovy: 45 };
/** Uniform jitter half-ranges: position (m per axis), target (m per axis), fovy (degrees). Kept to a few
 * millimetres (a mounted camera barely moves): the policy decides "arrived over the block" to about 1 cm,
 * and a ±2 cm / ±2° jitter moved the block's image position against the proprio state by about that much.
 * Datasets before ds4 used { pos: 0.02, target: 0.01, fovy: 2 }. */
export const CAMERA_JITTER = { pos: 0.004, target: 0.002, fovy: 0.4 } as const;
/** Nominal table top colour (linear RGB) and per-channel jitter half-range. */
export const TABLE_RGB_NOMINAL: Vec3 = [0.62, 0.6, 0.56];
export const TABLE_RGB_JITTER = 0.04;

const DISTRACTOR_KINDS: readonly SceneObjectKind[] = ['block', ...CONTAINER_KINDS];
const PLACE_TRIES = 300;
const SCENE_TRIES = 50;

/** Radius of the circle that bounds an object's footprint on the table (m). */
export function footprintRadius(kind: SceneObjectKind): number {
  switch (kind) {
    case 'block':
      return BLOCK_HALF * Math.SQRT2;
    case 'bowl':
      return BOWL_RADIUS;
    case 'plate':
      return PLATE_RADIUS;
  }
}

/** Whether a footprint of radius r centred at xy lies inside the workspace. */
export function insideWorkspace(xy: Vec2, r: number): boolean {
  return (
    xy[0] - r >= WORKSPACE.xMin - 1e-12 &&
    xy[0] + r <= WORKSPACE.xMax + 1e-12 &&
    xy[1] - r >= WORKSPACE.yMin - 1e-12 &&
    xy[1] + r <= WORKSPACE.yMax + 1e-12
  );
}

/** Minimum allowed centre distance between two objects (footprints plus GRASP_CLEARANCE). */
export function minCentreDistance(a: SceneObjectKind, b: SceneObjectKind): number {
  return footprintRadius(a) + footprintRadius(b) + GRASP_CLEARANCE;
}

/** Distance from point p to the segment [a, b] in the plane. */
export function pointSegmentDistance(p: Vec2, a: Vec2, b: Vec2): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  const t = len2 > 0 ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

interface Corridor {
  from: Vec2;
  to: Vec2;
}

/** The segment a push block's centre and pusher sweep: PUSH_APPROACH behind to PUSH_TRAVEL ahead. */
export function pushCorridor(xy: Vec2, dir: Vec2): Corridor {
  return {
    from: [xy[0] - PUSH_APPROACH * dir[0], xy[1] - PUSH_APPROACH * dir[1]],
    to: [xy[0] + PUSH_TRAVEL * dir[0], xy[1] + PUSH_TRAVEL * dir[1]],
  };
}

function sampleXy(rng: Rng, r: number): Vec2 {
  return [
    rng.uniform(WORKSPACE.xMin + r, WORKSPACE.xMax - r),
    rng.uniform(WORKSPACE.yMin + r, WORKSPACE.yMax - r),
  ];
}

function sampleYaw(rng: Rng, kind: SceneObjectKind): number {
  // A cube looks the same every 90°, so [-π/4, π/4) covers every orientation.
  return kind === 'block' ? rng.uniform(-Math.PI / 4, Math.PI / 4) : rng.uniform(-Math.PI, Math.PI);
}

function clearOf(
  xy: Vec2,
  kind: SceneObjectKind,
  placed: readonly SceneObject[],
  corridor?: Corridor,
): boolean {
  for (const o of placed) {
    if (Math.hypot(xy[0] - o.xy[0], xy[1] - o.xy[1]) < minCentreDistance(kind, o.kind)) return false;
  }
  if (corridor) {
    const need = footprintRadius('block') + footprintRadius(kind) + GRASP_CLEARANCE;
    if (pointSegmentDistance(xy, corridor.from, corridor.to) < need) return false;
  }
  return true;
}

function sampleCamera(rng: Rng): CameraSpec {
  const j = (v: number, h: number) => v + rng.uniform(-h, h);
  const [px, py, pz] = CAMERA_NOMINAL.pos;
  const [tx, ty, tz] = CAMERA_NOMINAL.target;
  return {
    pos: [j(px, CAMERA_JITTER.pos), j(py, CAMERA_JITTER.pos), j(pz, CAMERA_JITTER.pos)],
    target: [j(tx, CAMERA_JITTER.target), j(ty, CAMERA_JITTER.target), j(tz, CAMERA_JITTER.target)],
    fovy: j(CAMERA_NOMINAL.fovy, CAMERA_JITTER.fovy),
  };
}

function sampleLight(rng: Rng): LightSpec {
  const azimuth = rng.uniform(-Math.PI, Math.PI);
  const elevation = rng.uniform((50 * Math.PI) / 180, (80 * Math.PI) / 180);
  // detMath: identical bits in Node and every browser (Math.cos/sin are engine-approximated).
  const c = dcos(elevation);
  return {
    dir: [c * dcos(azimuth), c * dsin(azimuth), -dsin(elevation)],
    intensity: rng.uniform(0.8, 1.2),
    ambient: rng.uniform(0.25, 0.45),
  };
}

/** Place the task's referents; undefined when this draw failed (caller retries). */
function placeReferents(
  rng: Rng,
  task: Task,
  camera: CameraSpec,
): { objects: SceneObject[]; corridor?: Corridor } | undefined {
  const blockR = footprintRadius('block');
  for (let i = 0; i < PLACE_TRIES; i++) {
    const xy = sampleXy(rng, blockR);
    let corridor: Corridor | undefined;
    if (task.family === 'push') {
      corridor = pushCorridor(xy, pushDirectionVector(camera, task.direction));
      if (!insideWorkspace(corridor.to, blockR) || !insideWorkspace(corridor.from, 0)) continue;
    }
    const block: SceneObject = {
      name: `${task.color}_block`,
      kind: 'block',
      color: task.color,
      xy,
      yaw: sampleYaw(rng, 'block'),
    };
    if (task.family !== 'put') return corridor ? { objects: [block], corridor } : { objects: [block] };
    const { color, kind } = task.target;
    const r = footprintRadius(kind);
    for (let k = 0; k < PLACE_TRIES; k++) {
      const cxy = sampleXy(rng, r);
      const d = Math.hypot(cxy[0] - xy[0], cxy[1] - xy[1]);
      if (d < Math.max(PUT_MIN_DISTANCE, minCentreDistance('block', kind))) continue;
      return {
        objects: [block, { name: `${color}_${kind}`, kind, color, xy: cxy, yaw: sampleYaw(rng, kind) }],
      };
    }
  }
  return undefined;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Build the scene for a seed and task id. Objects: the task's referents first (block, then the
 * container for put), then 1–4 distractors of other color–kind pairs. Guarantees: names unique;
 * footprints inside WORKSPACE and GRASP_CLEARANCE apart; a put container ≥ PUT_MIN_DISTANCE from its
 * block; a push block's corridor (PUSH_APPROACH behind, PUSH_TRAVEL ahead in the view-frame direction)
 * inside the workspace and clear of other objects. Same (seed, task) → deep-equal spec.
 * Throws TaskParseError for a bad task id.
 */
export function generateScene(seed: number, taskId: string): SceneSpec {
  const task = parseTask(taskId);
  const canonical = formatTask(task);
  const rng = new Rng(mix32(Math.trunc(seed) | 0) ^ hashString(canonical));
  const camera = sampleCamera(rng);
  const light = sampleLight(rng);
  const tableRgb: Vec3 = [
    TABLE_RGB_NOMINAL[0] + rng.uniform(-TABLE_RGB_JITTER, TABLE_RGB_JITTER),
    TABLE_RGB_NOMINAL[1] + rng.uniform(-TABLE_RGB_JITTER, TABLE_RGB_JITTER),
    TABLE_RGB_NOMINAL[2] + rng.uniform(-TABLE_RGB_JITTER, TABLE_RGB_JITTER),
  ];
  const referentNames = new Set(taskReferents(task));
  for (let attempt = 0; attempt < SCENE_TRIES; attempt++) {
    const placed = placeReferents(rng, task, camera);
    if (!placed) continue;
    const objects = placed.objects;
    const wanted = rng.int(1, 4);
    const candidates = rng
      .shuffle(COLORS.flatMap((color: Color) => DISTRACTOR_KINDS.map((kind) => ({ color, kind }))))
      .filter(({ color, kind }) => !referentNames.has(`${color}_${kind}`));
    let added = 0;
    for (const { color, kind } of candidates) {
      if (added === wanted) break;
      const r = footprintRadius(kind);
      for (let i = 0; i < PLACE_TRIES; i++) {
        const xy = sampleXy(rng, r);
        if (!clearOf(xy, kind, objects, placed.corridor)) continue;
        objects.push({ name: `${color}_${kind}`, kind, color, xy, yaw: sampleYaw(rng, kind) });
        added++;
        break;
      }
    }
    if (added >= 1) return { seed, task: canonical, objects, light, camera, tableRgb };
  }
  throw new Error(`generateScene: could not place the objects of "${canonical}" for seed ${seed}`);
}

/** A uniformly random task id, optionally restricted to one family (families equally likely otherwise). */
export function randomTaskId(rng: Rng, family?: TaskFamily): string {
  const fam = family ?? rng.pick(TASK_FAMILIES);
  const color = rng.pick(COLORS);
  switch (fam) {
    case 'pick':
      return formatTask({ family: 'pick', color });
    case 'put':
      return formatTask({
        family: 'put',
        color,
        target: { color: rng.pick(COLORS), kind: rng.pick(CONTAINER_KINDS) },
      });
    case 'push':
      return formatTask({ family: 'push', color, direction: rng.pick(PUSH_DIRECTIONS) });
  }
}

/** The task id for an episode seed: deterministic, independent of the scene's own draws. */
export function sampleTask(seed: number, family?: TaskFamily): string {
  return randomTaskId(new Rng(mix32((Math.trunc(seed) | 0) ^ 0x5eed7a5c)), family);
}
