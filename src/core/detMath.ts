/**
 * Engine-independent sin, cos, atan2 and hypot built only from IEEE-754 +, −, ×, ÷ and sqrt, so that
 * the sim and expert give bit-identical results in Node and every browser (Math.sin etc. are
 * implementation-approximated and differ between V8 versions). fdlibm's kernels and coefficients,
 * accurate to ~1 ulp on the ranges used here (|x| < 1e5). Pure; must not import anything.
 */

// π/2 split into three parts (fdlibm's pio2_1, pio2_2, pio2_2t) for Cody–Waite range reduction.
const PIO2_1 = 1.5707963267341256;
const PIO2_2 = 6.077100506303966e-11;
const PIO2_2T = 2.0222662487959506e-21;
const INV_PIO2 = 0.6366197723675814;

const S1 = -0.16666666666666632;
const S2 = 0.00833333333332249;
const S3 = -0.0001984126982985795;
const S4 = 2.7557313707070068e-6;
const S5 = -2.5050760253406863e-8;
const S6 = 1.58969099521155e-10;

const C1 = 0.0416666666666666;
const C2 = -0.001388888888887411;
const C3 = 2.480158728947673e-5;
const C4 = -2.7557314351390663e-7;
const C5 = 2.087572321298175e-9;
const C6 = -1.1359647557788195e-11;

function kSin(r: number): number {
  const z = r * r;
  return r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
}

function kCos(r: number): number {
  const z = r * r;
  const hz = 0.5 * z;
  const w = 1 - hz;
  return w + (1 - w - hz + z * z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6))))));
}

/** Quadrant k (mod 4) and remainder r ∈ [−π/4, π/4] with x = k·π/2 + r. */
function reduce(x: number): { k: number; r: number } {
  const k = Math.round(x * INV_PIO2);
  const r = x - k * PIO2_1 - k * PIO2_2 - k * PIO2_2T;
  return { k: ((k % 4) + 4) % 4, r };
}

/** sin(x), x in radians; deterministic across JS engines. */
export function dsin(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  if (Math.abs(x) < 0.7853981633974483) return kSin(x);
  const { k, r } = reduce(x);
  switch (k) {
    case 0:
      return kSin(r);
    case 1:
      return kCos(r);
    case 2:
      return -kSin(r);
    default:
      return -kCos(r);
  }
}

/** cos(x), x in radians; deterministic across JS engines. */
export function dcos(x: number): number {
  if (!Number.isFinite(x)) return Number.NaN;
  if (Math.abs(x) < 0.7853981633974483) return kCos(x);
  const { k, r } = reduce(x);
  switch (k) {
    case 0:
      return kCos(r);
    case 1:
      return -kSin(r);
    case 2:
      return -kCos(r);
    default:
      return kSin(r);
  }
}

const ATAN_HI = [0.4636476090008061, 0.7853981633974483, 0.982793723247329, 1.5707963267948966];
const ATAN_LO = [
  2.2698777452961687e-17, 3.061616997868383e-17, 1.3903311031230998e-17, 6.123233995736766e-17,
];
const AT = [
  0.3333333333333293, -0.19999999999876483, 0.14285714272503466, -0.11111110405462356, 0.09090887133436507,
  -0.0769187620504483, 0.06661073137387531, -0.058335701337905735, 0.049768779946159324,
  -0.036531572744216916, 0.016285820115365782,
];

/** atan(x) in (−π/2, π/2); deterministic across JS engines. */
export function datan(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const neg = x < 0;
  let t = neg ? -x : x;
  if (t > 1e17) return neg ? -ATAN_HI[3]! - ATAN_LO[3]! : ATAN_HI[3]! + ATAN_LO[3]!;
  let id: number;
  if (t < 0.4375) id = -1;
  else if (t < 0.6875) {
    id = 0;
    t = (2 * t - 1) / (2 + t);
  } else if (t < 1.1875) {
    id = 1;
    t = (t - 1) / (t + 1);
  } else if (t < 2.4375) {
    id = 2;
    t = (t - 1.5) / (1 + 1.5 * t);
  } else {
    id = 3;
    t = -1 / t;
  }
  const z = t * t;
  const w = z * z;
  const s1 = z * (AT[0]! + w * (AT[2]! + w * (AT[4]! + w * (AT[6]! + w * (AT[8]! + w * AT[10]!)))));
  const s2 = w * (AT[1]! + w * (AT[3]! + w * (AT[5]! + w * (AT[7]! + w * AT[9]!))));
  const r = id < 0 ? t - t * (s1 + s2) : ATAN_HI[id]! - (t * (s1 + s2) - ATAN_LO[id]! - t);
  return neg ? -r : r;
}

const PI = Math.PI; // a constant (not an engine-approximated function): identical everywhere
const PI_LO = 1.2246467991473532e-16;

/** atan2(y, x) in (−π, π]; deterministic across JS engines. */
export function datan2(y: number, x: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x === 0 && y === 0) return 0;
  if (x === 0) return y > 0 ? PI / 2 : -PI / 2;
  const a = datan(Math.abs(y / x));
  if (x > 0) return y < 0 ? -a : a;
  return y < 0 ? a - PI_LO - PI : PI - (a - PI_LO);
}

/** √(Σ vᵢ²) with IEEE sqrt (no implementation-defined Math.hypot). */
export function dhypot(...v: number[]): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
