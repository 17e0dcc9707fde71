/**
 * The fixed vocabulary that tasks and instructions may name: colors, the
 * movable object kind and the container kinds. Pure data; no DOM.
 */

export const COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'] as const;
export type Color = (typeof COLORS)[number];

export const OBJECT_KINDS = ['block'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const CONTAINER_KINDS = ['bowl', 'plate'] as const;
export type ContainerKind = (typeof CONTAINER_KINDS)[number];

/** Linear RGB in [0, 1] for each color name, as written into the MJCF `rgba`. */
export const COLOR_RGB: Record<Color, readonly [number, number, number]> = {
  red: [0.85, 0.12, 0.1],
  green: [0.13, 0.7, 0.2],
  blue: [0.12, 0.3, 0.9],
  yellow: [0.95, 0.85, 0.1],
  purple: [0.55, 0.2, 0.75],
  orange: [0.98, 0.5, 0.05],
};

export function isColor(s: string): s is Color {
  return (COLORS as readonly string[]).includes(s);
}

export function isContainerKind(s: string): s is ContainerKind {
  return (CONTAINER_KINDS as readonly string[]).includes(s);
}
