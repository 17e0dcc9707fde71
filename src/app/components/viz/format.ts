/** Number formatting shared by the visualization panels. */

/** An action value with its unit: metres as mm, radians with 3 decimals, unitless with 2. */
export function formatAction(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  const sign = v >= 0 ? '+' : '−';
  if (unit === 'm') return `${sign}${Math.abs(v * 1000).toFixed(1)} mm`;
  if (unit === 'rad') return `${sign}${Math.abs(v).toFixed(3)} rad`;
  return `${v.toFixed(2)}${unit && unit !== '1' ? ` ${unit}` : ''}`;
}

/** A fraction as a percentage, 1 decimal below 10 %. */
export function pct(v: number): string {
  const p = v * 100;
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)} %`;
}
