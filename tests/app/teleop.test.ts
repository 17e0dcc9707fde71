import { describe, expect, it } from 'vitest';
import { bytesToBase64 } from '../../src/app/automation';
import { readUrlParams } from '../../src/app/bootstrap';
import { TELEOP_STEP_M, TELEOP_STEP_RAD, TeleopSource } from '../../src/app/TeleopSource';

describe('TeleopSource', () => {
  it('maps held keys to world-frame deltas and G to a gripper toggle', () => {
    const t = new TeleopSource();
    expect(t.act()).toEqual([0, 0, 0, 0, 0, 0, 1]);
    t.press('W');
    t.press('a');
    t.press('e');
    expect(t.act()).toEqual([TELEOP_STEP_M, TELEOP_STEP_M, -TELEOP_STEP_M, 0, 0, 0, 1]);
    t.press('s'); // opposite of W cancels it
    t.release('a');
    expect(t.act()).toEqual([0, 0, -TELEOP_STEP_M, 0, 0, 0, 1]);
    t.releaseAll();
    t.press('x');
    t.press('g');
    expect(t.act()).toEqual([0, 0, 0, 0, 0, -TELEOP_STEP_RAD, 0]);
    t.press('g');
    expect(t.act()[6]).toBe(1);
    expect(t.press('p')).toBe(false);
  });
});

describe('readUrlParams', () => {
  it('keeps valid task, seed and camera size and drops invalid ones', () => {
    expect(readUrlParams('?task=push:blue-block:left&seed=7&cam=128')).toEqual({
      task: 'push:blue-block:left',
      seed: 7,
      cameraSize: 128,
    });
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(readUrlParams('?task=fly:red-block&seed=x&cam=4')).toEqual({});
    } finally {
      console.warn = warn;
    }
  });
});

describe('bytesToBase64', () => {
  it('encodes like RFC 4648', () => {
    expect(bytesToBase64(new Uint8Array([0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72]))).toBe('Zm9vYmFy');
    const big = new Uint8Array(100_000).fill(255);
    expect(Buffer.from(bytesToBase64(big), 'base64').equals(Buffer.from(big))).toBe(true);
  });
});
