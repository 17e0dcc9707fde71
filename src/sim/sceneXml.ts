/**
 * Builds the MJCF (MuJoCo XML) text of one episode's world from a SceneSpec: table, a 6-joint arm
 * with position servos and a two-finger parallel gripper, free-body blocks, static bowls and plates.
 * Primitive geoms only (plane, box, cylinder, capsule, sphere) so the three.js renderer can draw them.
 * Pure string building; imports core only.
 */
import { dcos, dhypot, dsin } from '../core/detMath';
import {
  BLOCK_HALF,
  BOWL_FLOOR,
  BOWL_HEIGHT,
  BOWL_RADIUS,
  PLATE_HEIGHT,
  PLATE_RADIUS,
  TABLE_Z,
} from '../core/sceneGenerator';
import type { SceneObject, SceneSpec } from '../core/types';
import { COLOR_RGB } from '../core/vocabulary';

/** Physics timestep (s). */
export const TIMESTEP = 0.002;

/** Arm joint names, base to wrist, with limits (rad). */
export const ARM_JOINTS = ['joint1', 'joint2', 'joint3', 'joint4', 'joint5', 'joint6'] as const;
export const ARM_JOINT_RANGES: readonly (readonly [number, number])[] = [
  [-2.9, 2.9],
  [-1.9, 1.9],
  [-2.7, 2.7],
  [-2.9, 2.9],
  [-2.6, 2.6],
  [-3.0, 3.0],
];
/** Finger slide travel (m) per finger: 0 closed (fingertips meet), FINGER_OPEN fully open. */
export const FINGER_OPEN = 0.045;
export const FINGER_JOINTS = ['left_finger_joint', 'right_finger_joint'] as const;
export const FINGER_BODIES = ['left_finger', 'right_finger'] as const;
/** Name of the grasp site between the fingertips. */
export const EE_SITE = 'ee';

// Link lengths (m): shoulder height, upper arm, forearm, wrist centre → flange.
const SHOULDER_Z = 0.2;
const UPPER = 0.4;
const FORE = 0.38;
const FLANGE = 0.05;

const f = (v: number) => {
  const s = v.toFixed(5).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
};
const v3 = (a: number, b: number, c: number) => `${f(a)} ${f(b)} ${f(c)}`;
const rgba = (rgb: readonly number[], a = 1) => `${f(rgb[0]!)} ${f(rgb[1]!)} ${f(rgb[2]!)} ${f(a)}`;

function armXml(): string {
  const r = ARM_JOINT_RANGES.map(([lo, hi]) => `${f(lo)} ${f(hi)}`);
  // Arm links are visual only (no collisions); the hand and fingers collide with the world.
  return `
    <body name="arm_base" pos="0 0 ${f(TABLE_Z)}">
      <geom name="arm_base_geom" class="link" type="cylinder" size="0.07 0.025" pos="0 0 0.025" rgba="0.25 0.25 0.28 1"/>
      <body name="link1" pos="0 0 0.05" gravcomp="1">
        <joint name="joint1" axis="0 0 1" range="${r[0]}" class="big"/>
        <geom name="link1_geom" class="link" type="cylinder" size="0.05 0.075" pos="0 0 0.075"/>
        <body name="link2" pos="0 0 ${f(SHOULDER_Z - 0.05)}" gravcomp="1">
          <joint name="joint2" axis="0 1 0" range="${r[1]}" class="big"/>
          <geom name="shoulder_geom" class="link" type="cylinder" size="0.05 0.05" euler="1.5708 0 0" rgba="0.25 0.25 0.28 1"/>
          <geom name="upper_arm_geom" class="link" type="capsule" fromto="0 0 0 0 0 ${f(UPPER)}" size="0.035"/>
          <body name="link3" pos="0 0 ${f(UPPER)}" gravcomp="1">
            <joint name="joint3" axis="0 1 0" range="${r[2]}" class="big"/>
            <geom name="elbow_geom" class="link" type="cylinder" size="0.042 0.045" euler="1.5708 0 0" rgba="0.25 0.25 0.28 1"/>
            <geom name="forearm_geom" class="link" type="capsule" fromto="0 0 0 0 0 ${f(FORE)}" size="0.03"/>
            <body name="link4" pos="0 0 ${f(FORE)}" gravcomp="1">
              <joint name="joint4" axis="0 0 1" range="${r[3]}" class="small"/>
              <geom name="wrist_geom" class="link" type="sphere" size="0.035" rgba="0.25 0.25 0.28 1"/>
              <body name="link5" pos="0 0 0" gravcomp="1">
                <joint name="joint5" axis="0 1 0" range="${r[4]}" class="small"/>
                <geom name="wrist_link_geom" class="link" type="capsule" fromto="0 0 0 0 0 ${f(FLANGE - 0.01)}" size="0.025"/>
                <body name="hand" pos="0 0 ${f(FLANGE)}" gravcomp="1">
                  <joint name="joint6" axis="0 0 1" range="${r[5]}" class="small"/>
                  <geom name="palm_geom" class="hand" type="box" size="0.02 0.055 0.012" pos="0 0 0.012"/>
                  <site name="${EE_SITE}" pos="0 0 0.075" quat="0 0 0 1" size="0.006" rgba="1 0 1 0.3"/>
                  <body name="left_finger" pos="0 0.005 0.024" gravcomp="1">
                    <joint name="left_finger_joint" type="slide" axis="0 1 0" range="0 ${f(FINGER_OPEN)}" class="finger"/>
                    <geom name="left_finger_geom" class="fingertip" type="box" size="0.011 0.005 0.033" pos="0 0 0.033"/>
                  </body>
                  <body name="right_finger" pos="0 -0.005 0.024" gravcomp="1">
                    <joint name="right_finger_joint" type="slide" axis="0 -1 0" range="0 ${f(FINGER_OPEN)}" class="finger"/>
                    <geom name="right_finger_geom" class="fingertip" type="box" size="0.011 0.005 0.033" pos="0 0 0.033"/>
                  </body>
                </body>
              </body>
            </body>
          </body>
        </body>
      </body>
    </body>`;
}

/** MuJoCo camera `xyaxes` (image right, image up) for a camera looking from pos at target, world Z up. */
function cameraXyAxes(scene: SceneSpec): string {
  const { pos, target } = scene.camera;
  const d = [target[0] - pos[0], target[1] - pos[1], target[2] - pos[2]];
  const dn = dhypot(d[0]!, d[1]!, d[2]!);
  const fw = d.map((x) => x / dn);
  const rx = fw[1]!;
  const ry = -fw[0]!;
  const rn = dhypot(rx, ry) || 1;
  const right = [rx / rn, ry / rn, 0];
  const up = [
    right[1]! * fw[2]! - right[2]! * fw[1]!,
    right[2]! * fw[0]! - right[0]! * fw[2]!,
    right[0]! * fw[1]! - right[1]! * fw[0]!,
  ];
  return [...right, ...up].map(f).join(' ');
}

function blockXml(o: SceneObject): string {
  const z = TABLE_Z + BLOCK_HALF + 0.001;
  const h = BLOCK_HALF;
  return `
    <body name="${o.name}" pos="${v3(o.xy[0], o.xy[1], z)}" euler="0 0 ${f(o.yaw)}">
      <freejoint name="${o.name}_joint"/>
      <geom name="${o.name}_geom" class="object" type="box" size="${v3(h, h, h)}" rgba="${rgba(COLOR_RGB[o.color])}"/>
    </body>`;
}

function bowlXml(o: SceneObject): string {
  const n = 16;
  const wallT = 0.006;
  const rMid = BOWL_RADIUS - wallT / 2;
  const halfLen = rMid * (dsin(Math.PI / n) / dcos(Math.PI / n)) + 0.001;
  const color = rgba(COLOR_RGB[o.color]);
  const walls: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n;
    walls.push(
      `<geom name="${o.name}_wall${i}" class="object" type="box" size="${v3(wallT / 2, halfLen, BOWL_HEIGHT / 2)}" ` +
        `pos="${v3(rMid * dcos(a), rMid * dsin(a), BOWL_HEIGHT / 2)}" euler="0 0 ${f(a)}" rgba="${color}"/>`,
    );
  }
  return `
    <body name="${o.name}" pos="${v3(o.xy[0], o.xy[1], TABLE_Z)}" euler="0 0 ${f(o.yaw)}">
      <geom name="${o.name}_base" class="object" type="cylinder" size="${f(BOWL_RADIUS)} ${f(BOWL_FLOOR / 2)}" pos="0 0 ${f(BOWL_FLOOR / 2)}" rgba="${color}"/>
      ${walls.join('\n      ')}
    </body>`;
}

function plateXml(o: SceneObject): string {
  return `
    <body name="${o.name}" pos="${v3(o.xy[0], o.xy[1], TABLE_Z)}" euler="0 0 ${f(o.yaw)}">
      <geom name="${o.name}_geom" class="object" type="cylinder" size="${f(PLATE_RADIUS)} ${f(PLATE_HEIGHT / 2)}" pos="0 0 ${f(PLATE_HEIGHT / 2)}" rgba="${rgba(COLOR_RGB[o.color])}"/>
    </body>`;
}

function objectXml(o: SceneObject): string {
  switch (o.kind) {
    case 'block':
      return blockXml(o);
    case 'bowl':
      return bowlXml(o);
    case 'plate':
      return plateXml(o);
  }
}

/**
 * MJCF of the scene. The arm is the first body tree, so its 6 joints are qpos/qvel 0–5 and the
 * fingers 6–7; actuators 0–5 drive the arm joints (position servos, rad) and 6–7 the fingers (m).
 * Blocks are free bodies; bowls and plates are static bodies. Geoms and bodies are named after the
 * scene objects (`red_block`, `red_block_geom`, …).
 */
export function buildSceneXml(scene: SceneSpec): string {
  const t = scene.tableRgb;
  const cam = scene.camera;
  const l = scene.light;
  const objects = scene.objects.map(objectXml).join('');
  return `<mujoco model="vla_tabletop">
  <compiler angle="radian" autolimits="true"/>
  <option timestep="${f(TIMESTEP)}" integrator="implicitfast" cone="elliptic" impratio="10" gravity="0 0 -9.81"/>
  <size memory="8M"/>
  <visual><global offwidth="256" offheight="256"/></visual>
  <default>
    <joint damping="1" armature="0.02"/>
    <geom contype="1" conaffinity="1" condim="3" friction="0.8 0.01 0.001" solref="0.005 1"/>
    <default class="big"><joint damping="30" armature="0.1"/></default>
    <default class="small"><joint damping="6" armature="0.03"/></default>
    <default class="finger"><joint damping="5" armature="0.01"/></default>
    <default class="link"><geom contype="0" conaffinity="0" density="300" rgba="0.82 0.82 0.85 1"/></default>
    <default class="hand"><geom density="300" rgba="0.2 0.2 0.22 1" condim="4"/></default>
    <default class="fingertip"><geom density="300" rgba="0.15 0.15 0.17 1" condim="4" friction="1.5 0.02 0.001"/></default>
    <default class="object"><geom condim="4" friction="1.0 0.01 0.001" density="400"/></default>
    <default class="table"><geom condim="3" friction="0.8 0.005 0.0001"/></default>
  </default>
  <worldbody>
    <light name="key" directional="true" dir="${v3(l.dir[0], l.dir[1], l.dir[2])}" diffuse="${v3(0.7 * l.intensity, 0.7 * l.intensity, 0.7 * l.intensity)}" ambient="${v3(l.ambient, l.ambient, l.ambient)}" pos="0 0 2"/>
    <camera name="model_cam" pos="${v3(cam.pos[0], cam.pos[1], cam.pos[2])}" xyaxes="${cameraXyAxes(scene)}" fovy="${f(cam.fovy)}"/>
    <geom name="floor" type="plane" size="3 3 0.1" pos="0 0 ${f(TABLE_Z - 0.75)}" rgba="0.35 0.36 0.38 1" class="table"/>
    <body name="table" pos="0.45 0 ${f(TABLE_Z)}">
      <geom name="table_top" class="table" type="box" size="0.6 0.65 0.02" pos="0 0 -0.02" rgba="${rgba(t)}"/>
      <geom name="table_leg0" type="box" size="0.025 0.025 0.365" pos="0.55 0.6 -0.405" contype="0" conaffinity="0" rgba="0.3 0.25 0.2 1"/>
      <geom name="table_leg1" type="box" size="0.025 0.025 0.365" pos="0.55 -0.6 -0.405" contype="0" conaffinity="0" rgba="0.3 0.25 0.2 1"/>
      <geom name="table_leg2" type="box" size="0.025 0.025 0.365" pos="-0.55 0.6 -0.405" contype="0" conaffinity="0" rgba="0.3 0.25 0.2 1"/>
      <geom name="table_leg3" type="box" size="0.025 0.025 0.365" pos="-0.55 -0.6 -0.405" contype="0" conaffinity="0" rgba="0.3 0.25 0.2 1"/>
    </body>${armXml()}${objects}
  </worldbody>
  <contact>
    <exclude body1="left_finger" body2="right_finger"/>
    <exclude body1="hand" body2="left_finger"/>
    <exclude body1="hand" body2="right_finger"/>
  </contact>
  <actuator>
    <position name="act1" joint="joint1" kp="800" ctrlrange="${ARM_JOINT_RANGES[0]!.map(f).join(' ')}" forcerange="-150 150"/>
    <position name="act2" joint="joint2" kp="1000" ctrlrange="${ARM_JOINT_RANGES[1]!.map(f).join(' ')}" forcerange="-200 200"/>
    <position name="act3" joint="joint3" kp="800" ctrlrange="${ARM_JOINT_RANGES[2]!.map(f).join(' ')}" forcerange="-150 150"/>
    <position name="act4" joint="joint4" kp="300" ctrlrange="${ARM_JOINT_RANGES[3]!.map(f).join(' ')}" forcerange="-50 50"/>
    <position name="act5" joint="joint5" kp="300" ctrlrange="${ARM_JOINT_RANGES[4]!.map(f).join(' ')}" forcerange="-50 50"/>
    <position name="act6" joint="joint6" kp="300" ctrlrange="${ARM_JOINT_RANGES[5]!.map(f).join(' ')}" forcerange="-50 50"/>
    <position name="act_left_finger" joint="left_finger_joint" kp="300" ctrlrange="0 ${f(FINGER_OPEN)}" forcerange="-15 15"/>
    <position name="act_right_finger" joint="right_finger_joint" kp="300" ctrlrange="0 ${f(FINGER_OPEN)}" forcerange="-15 15"/>
  </actuator>
</mujoco>
`;
}
