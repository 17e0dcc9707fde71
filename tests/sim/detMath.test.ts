/** Engine-independent trig (src/core/detMath.ts) against exact values and the host's Math library. */
import { describe, expect, it } from 'vitest';
import { datan, datan2, dcos, dhypot, dsin } from '../../src/core/detMath';

describe('detMath', () => {
  it('hits exact values', () => {
    expect(dsin(0)).toBe(0);
    expect(dcos(0)).toBe(1);
    expect(dsin(Math.PI / 6)).toBeCloseTo(0.5, 15);
    expect(dcos(Math.PI / 3)).toBeCloseTo(0.5, 15);
    expect(dsin(Math.PI / 2)).toBe(1);
    expect(dcos(Math.PI)).toBe(-1);
    expect(dsin(-Math.PI / 2)).toBe(-1);
    expect(datan(1)).toBeCloseTo(Math.PI / 4, 15);
    expect(datan2(1, 1)).toBeCloseTo(Math.PI / 4, 15);
    expect(datan2(-1, -1)).toBeCloseTo((-3 * Math.PI) / 4, 15);
    expect(datan2(0, -1)).toBeCloseTo(Math.PI, 15);
    expect(datan2(-2, 0)).toBeCloseTo(-Math.PI / 2, 15);
    expect(datan2(Math.sqrt(3), 1)).toBeCloseTo(Math.PI / 3, 15);
    expect(dhypot(3, 4, 12)).toBe(13);
    expect(dsin(Number.NaN)).toBeNaN();
    expect(dcos(Number.POSITIVE_INFINITY)).toBeNaN();
  });

  it('agrees with Math within 2e-16 absolute on [-20, 20]', () => {
    let worst = 0;
    for (let i = -4000; i <= 4000; i++) {
      const x = i * 0.005 + 0.0001234;
      worst = Math.max(worst, Math.abs(dsin(x) - Math.sin(x)), Math.abs(dcos(x) - Math.cos(x)));
      const y = Math.cos(i * 0.37) * 3;
      worst = Math.max(worst, Math.abs(datan2(y, x) - Math.atan2(y, x)) / 4);
    }
    expect(worst).toBeLessThan(2e-16 * 4);
  });
});
