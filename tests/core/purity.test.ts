/**
 * src/core must stay pure: no DOM, three.js, onnxruntime, React or MuJoCo. Those modules are
 * replaced by factories that throw, then every core module is imported; a static scan also
 * checks that core imports nothing but core files and zod.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// vi.mock is hoisted above everything else, so each factory is written out in full.
vi.mock('three', () => {
  throw new Error('src/core imported three');
});
vi.mock('onnxruntime-web', () => {
  throw new Error('src/core imported onnxruntime-web');
});
vi.mock('react', () => {
  throw new Error('src/core imported react');
});
vi.mock('mujoco-js', () => {
  throw new Error('src/core imported mujoco-js');
});

const coreDir = join(import.meta.dirname, '../../src/core');
const coreFiles = readdirSync(coreDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

describe('src/core purity', () => {
  it('has modules to check', () => {
    expect(coreFiles.length).toBeGreaterThan(10);
  });

  it.each(coreFiles)('%s imports only core files and zod', (file) => {
    const src = readFileSync(join(coreDir, file), 'utf8');
    const specifiers = [...src.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
      (m) => m[1],
    );
    for (const s of specifiers) expect(s === 'zod' || s?.startsWith('./'), `${file} imports ${s}`).toBe(true);
    const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\b(document|window|navigator)\s*\./);
  });

  it.each(coreFiles)('%s loads with three/ORT/React/MuJoCo absent', async (file) => {
    await expect(import(/* @vite-ignore */ join(coreDir, file))).resolves.toBeTypeOf('object');
  });
});
