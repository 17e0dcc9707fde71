/**
 * The recording export file: the PNG codec against the PNG spec (CRC and zlib from node:zlib, the four
 * row filters written out here from the spec), and the zip round trip (tokens, float32 probabilities and
 * attention, frames bit-exact, the recording's model metadata; files without it still read) plus the
 * messages bad files get.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { PolicyStepRecord } from '../../src/app/PolicySource';
import { decodePngRgb, encodePngRgb } from '../../src/app/recording/png';
import {
  decodeRecordingZip,
  encodeRecordingZip,
  RecordingFileError,
  recordingFileName,
} from '../../src/app/recording/recordingFile';
import type { RecordingMeta, RecordingModel } from '../../src/app/recording/types';

/** Deterministic bytes/floats (LCG) so round trips compare real content. */
function lcg(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeRecord(i: number, w = 8, h = 6, withAttention = true): PolicyStepRecord {
  const rnd = lcg(1000 + i);
  const dims = 7;
  const bins = 256;
  const rgb = new Uint8Array(w * h * 3).map(() => Math.floor(rnd() * 256));
  const probs = new Float32Array(dims * bins).map(() => rnd());
  const shape: [number, number, number, number] = [dims, 3, 4, 20];
  return {
    step: i,
    instruction: 'pick up the red block',
    frame: { width: w, height: h, rgb },
    proprio: [rnd(), -rnd(), 0.1 + i],
    latencyMs: 10 + rnd(),
    result: {
      tokens: Array.from({ length: dims }, (_, d) => 1000 - Math.floor(rnd() * 256) - d),
      normalized: Array.from({ length: dims }, () => rnd() * 2 - 1),
      action: Array.from({ length: dims }, () => (rnd() - 0.5) * 0.02),
      probs,
      ...(withAttention
        ? {
            attention: {
              data: new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rnd()),
              shape,
              layout: {
                image: { start: 0, count: 4, grid: [2, 2] as [number, number] },
                keypoints: { start: 4, count: 1 },
                state: 5,
                text: { start: 6, count: 8, tokens: ['<s>', 'in', ':'] },
                actions: { start: 14, count: 6 },
              },
            },
          }
        : {}),
      timings: {
        preprocessMs: 0.1,
        visionMs: 1.5,
        embedMs: 0.2,
        prefillMs: 2.5,
        decodeMs: [1, 1.1, 1.2, 1.3, 1.4, 1.5],
        detokenizeMs: 0.01,
        totalMs: 12.3,
      },
      prompt: {
        text: 'In: What action should the robot take to pick up the red block?\nOut:',
        ids: [1, 2, 3],
        truncated: false,
      },
      executionProvider: 'wasm',
    },
  };
}

const META: RecordingMeta = {
  id: 'rec-test',
  startedAt: Date.UTC(2025, 0, 2, 3, 4, 5),
  updatedAt: Date.UTC(2025, 0, 2, 3, 4, 9),
  seed: 4,
  task: 'put:red-block:blue-bowl',
  instruction: 'pick up the red block',
  modelId: 'vla-tabletop-s',
  modelName: 'VLA tabletop S',
  executionProvider: 'wasm',
  status: 'failure',
  reason: 'max steps (3) reached',
  steps: 3,
  frameWidth: 8,
  frameHeight: 6,
  origin: 'live',
};

/** The recording model's metadata as a manifest of another model would give it (not the default's). */
const MODEL: RecordingModel = {
  id: 'arm-b',
  name: 'Arm B',
  action: {
    dims: 7,
    names: ['x', 'y', 'z', 'roll', 'pitch', 'yaw', 'grip'],
    units: ['cm', 'cm', 'cm', 'deg', 'deg', 'deg', '1'],
    bins: 256,
    vocab_size: 1000,
  },
  control_hz: 5,
};

/** Chunks of a PNG file: type, data, and whether the stored CRC matches node:zlib's crc32. */
function pngChunks(png: Uint8Array) {
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const out: { type: string; data: Uint8Array; crcOk: boolean }[] = [];
  for (let o = 8; o < png.length; ) {
    const len = v.getUint32(o);
    const type = Buffer.from(png.subarray(o + 4, o + 8)).toString('latin1');
    const data = png.subarray(o + 8, o + 8 + len);
    out.push({ type, data, crcOk: crc32(png.subarray(o + 4, o + 8 + len)) === v.getUint32(o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

/** Build a PNG with node:zlib, filtering row y with filters[y % filters.length] as the PNG spec defines. */
function specPng(w: number, h: number, rgb: Uint8Array, filters: number[]): Uint8Array {
  const stride = w * 3;
  const raw = new Uint8Array((stride + 1) * h);
  const px = (x: number, y: number) => (x < 0 || y < 0 ? 0 : rgb[y * stride + x]!);
  for (let y = 0; y < h; y++) {
    const f = filters[y % filters.length]!;
    raw[y * (stride + 1)] = f;
    for (let x = 0; x < stride; x++) {
      const cur = px(x, y);
      const a = px(x - 3, y);
      const b = px(x, y - 1);
      const c = px(x - 3, y - 1);
      const p = a + b - c;
      const pr =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const pred = [0, a, b, (a + b) >> 1, pr][f]!;
      raw[y * (stride + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  const chunk = (type: string, data: Uint8Array) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const body = Buffer.concat([head.subarray(4), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body), 0);
    return Buffer.concat([head.subarray(0, 4), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('PNG codec', () => {
  const w = 7;
  const h = 5;
  const rnd = lcg(7);
  const rgb = new Uint8Array(w * h * 3).map(() => Math.floor(rnd() * 256));

  it('writes a valid 8-bit RGB PNG: header, CRCs and zlib image data per the spec', () => {
    const png = encodePngRgb(w, h, rgb);
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const chunks = pngChunks(png);
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(chunks.every((c) => c.crcOk)).toBe(true);
    const ihdr = Buffer.from(chunks[0]!.data);
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([w, h, 8, 2, 0, 0, 0]);
    const raw = inflateSync(chunks[1]!.data);
    expect(raw.length).toBe((w * 3 + 1) * h);
    for (let y = 0; y < h; y++) {
      expect(raw[y * (w * 3 + 1)]).toBe(0);
      expect([...raw.subarray(y * (w * 3 + 1) + 1, (y + 1) * (w * 3 + 1))]).toEqual([
        ...rgb.subarray(y * w * 3, (y + 1) * w * 3),
      ]);
    }
  });

  it('reads PNGs using every row filter (None, Sub, Up, Average, Paeth)', () => {
    for (const filters of [[0], [1], [2], [3], [4], [4, 3, 2, 1, 0]]) {
      const decoded = decodePngRgb(specPng(w, h, rgb, filters));
      expect(decoded.width).toBe(w);
      expect(decoded.height).toBe(h);
      expect(Buffer.from(decoded.rgb).equals(Buffer.from(rgb))).toBe(true);
    }
  });

  it('rejects what it cannot read, saying why', () => {
    expect(() => decodePngRgb(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow(/not a PNG/);
    const png = encodePngRgb(w, h, rgb);
    const bad = png.slice();
    bad[40] = (bad[40]! + 1) & 0xff; // inside IDAT
    expect(() => decodePngRgb(bad)).toThrow(/CRC/);
    expect(() => encodePngRgb(3, 3, new Uint8Array(5))).toThrow(/3×3×3/);
  });
});

describe('recording zip', () => {
  const records = [makeRecord(0), makeRecord(1, 8, 6, false), makeRecord(2)];

  it('round-trips tokens, actions, float32 arrays and frames exactly', () => {
    const zip = encodeRecordingZip(META, records);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([
      'frames/000000.png',
      'frames/000001.png',
      'frames/000002.png',
      'recording.json',
    ]);
    // The frames are ordinary PNGs (readable by anything) with the recorded pixels.
    expect(
      Buffer.from(decodePngRgb(files['frames/000001.png']!).rgb).equals(Buffer.from(records[1]!.frame.rgb)),
    ).toBe(true);
    const back = decodeRecordingZip(zip);
    expect(back.meta).toEqual({ ...META, steps: 3 });
    expect(back.records).toHaveLength(3);
    back.records.forEach((r, i) => {
      const o = records[i]!;
      expect(r.step).toBe(o.step);
      expect(r.instruction).toBe(o.instruction);
      expect(r.proprio).toEqual(o.proprio);
      expect(r.latencyMs).toBe(o.latencyMs);
      expect(r.result.tokens).toEqual(o.result.tokens);
      expect(r.result.action).toEqual(o.result.action);
      expect(r.result.normalized).toEqual(o.result.normalized);
      expect(r.result.timings).toEqual(o.result.timings);
      expect(r.result.prompt).toEqual(o.result.prompt);
      expect(r.result.probs).toBeInstanceOf(Float32Array);
      expect(Buffer.from(r.result.probs.buffer).equals(Buffer.from(o.result.probs.buffer))).toBe(true);
      expect(r.frame.width).toBe(o.frame.width);
      expect(Buffer.from(r.frame.rgb).equals(Buffer.from(o.frame.rgb))).toBe(true);
      if (o.result.attention) {
        expect(r.result.attention?.shape).toEqual(o.result.attention.shape);
        expect(r.result.attention?.layout).toEqual(o.result.attention.layout);
        expect(
          Buffer.from(r.result.attention!.data.buffer).equals(Buffer.from(o.result.attention.data.buffer)),
        ).toBe(true);
      } else expect(r.result.attention).toBeUndefined();
    });
  });

  it('keeps the JSON readable: plain numbers for tokens and actions, float32 LE base64 for probs', () => {
    const json = JSON.parse(
      Buffer.from(unzipSync(encodeRecordingZip(META, records))['recording.json']!).toString(),
    );
    expect(json.format).toBe('vla-recording');
    expect(json.version).toBe(1);
    expect(json.steps[0].result.tokens).toEqual(records[0]!.result.tokens);
    const p = json.steps[0].result.probs;
    expect(p.dtype).toBe('float32');
    const bytes = Buffer.from(p.base64, 'base64');
    expect(bytes.length).toBe(7 * 256 * 4);
    expect(bytes.readFloatLE(4 * 5)).toBe(records[0]!.result.probs[5]);
    expect(json.steps[0].frame.file).toBe('frames/000000.png');
  });

  it("round-trips the recording model's id, name, action names and units and control rate", () => {
    const zip = encodeRecordingZip({ ...META, model: MODEL }, records);
    const json = JSON.parse(Buffer.from(unzipSync(zip)['recording.json']!).toString());
    expect(json.meta.model).toEqual(MODEL);
    const back = decodeRecordingZip(zip);
    expect(back.meta.model).toEqual(MODEL);
    expect(back.meta).toEqual({ ...META, model: MODEL, steps: 3 });
  });

  it('reads a file written before the model was stored (no meta.model)', () => {
    const files = unzipSync(encodeRecordingZip({ ...META, model: MODEL }, records));
    const j = JSON.parse(Buffer.from(files['recording.json']!).toString());
    delete j.meta.model;
    files['recording.json'] = strToU8(JSON.stringify(j));
    const back = decodeRecordingZip(zipSync(files));
    expect('model' in back.meta).toBe(false);
    expect(back.records.map((r) => r.result.tokens)).toEqual(records.map((r) => r.result.tokens));
  });

  it.each([
    [
      'names that do not match dims',
      (m: RecordingModel) => {
        m.action.names.pop();
      },
      /meta\.model\.action: 6 names and 7 units for 7 dims/,
    ],
    [
      'dims that do not match the steps',
      (m: RecordingModel) => {
        m.action = { ...m.action, dims: 6, names: m.action.names.slice(1), units: m.action.units.slice(1) };
      },
      /step 0: 7 action tokens, the recording's model has 6 dims/,
    ],
    [
      'a bad control rate',
      (m: RecordingModel) => {
        m.control_hz = -1;
      },
      /meta\.model\.control_hz/,
    ],
  ])('rejects a recording model with %s', (_name, edit, message) => {
    const model = structuredClone(MODEL);
    edit(model);
    expect(() => decodeRecordingZip(encodeRecordingZip({ ...META, model }, records))).toThrow(message);
  });

  it('names the export after task, seed and start time', () => {
    expect(recordingFileName(META)).toBe(
      'vla-recording_put_red-block_blue-bowl_seed4_2025-01-02T03-04-05.zip',
    );
  });

  const good = () => unzipSync(encodeRecordingZip(META, records));
  const rezip = (files: Record<string, Uint8Array>) => zipSync(files);
  /** The parts of recording.json the bad-file cases edit. */
  interface EditableJson {
    format: unknown;
    version: unknown;
    meta: { status: unknown };
    steps: {
      result: {
        tokens: unknown;
        action: unknown[];
        probs: { length: number };
        attention: { shape: number[] };
      };
    }[];
  }
  const withJson = (edit: (j: EditableJson) => void) => {
    const files = good();
    const j = JSON.parse(Buffer.from(files['recording.json']!).toString());
    edit(j);
    files['recording.json'] = strToU8(JSON.stringify(j));
    return rezip(files);
  };

  it.each([
    ['not a zip', () => strToU8('hello, not a zip'), /not a zip archive/],
    [
      'no recording.json',
      () => {
        const f = good();
        delete f['recording.json'];
        return rezip(f);
      },
      /no recording\.json/,
    ],
    ['bad JSON', () => rezip({ ...good(), 'recording.json': strToU8('{oops') }), /not valid JSON/],
    [
      'another format',
      () =>
        withJson((j) => {
          j.format = 'something-else';
        }),
      /format something-else/,
    ],
    [
      'a newer version',
      () =>
        withJson((j) => {
          j.version = 99;
        }),
      /version 99 is not supported/,
    ],
    [
      'a wrong field type',
      () =>
        withJson((j) => {
          j.steps[1]!.result.tokens = 'abc';
        }),
      /steps\.1\.result\.tokens/,
    ],
    [
      'a bad status',
      () =>
        withJson((j) => {
          j.meta.status = 'great';
        }),
      /meta\.status/,
    ],
    [
      'tokens vs action',
      () =>
        withJson((j) => {
          j.steps[0]!.result.action.pop();
        }),
      /step 0: 7 tokens but 6 action values/,
    ],
    [
      'truncated probs',
      () =>
        withJson((j) => {
          j.steps[2]!.result.probs.length = 10;
        }),
      /step 2 probs: 7168 bytes for 10/,
    ],
    [
      'attention shape',
      () =>
        withJson((j) => {
          j.steps[0]!.result.attention.shape = [7, 3, 4, 21];
        }),
      /attention has 1680 values, shape says 1764/,
    ],
    [
      'a missing frame',
      () => {
        const f = good();
        delete f['frames/000002.png'];
        return rezip(f);
      },
      /step 2: frame frames\/000002\.png is missing/,
    ],
    [
      'a frame of the wrong size',
      () => rezip({ ...good(), 'frames/000001.png': encodePngRgb(4, 4, new Uint8Array(48)) }),
      /step 1: frame is 4×4, expected 8×6/,
    ],
    [
      'a broken frame',
      () => rezip({ ...good(), 'frames/000000.png': strToU8('nope') }),
      /frames\/000000\.png: not a PNG/,
    ],
  ])('rejects %s with a clear message', (_name, make, message) => {
    let err: unknown;
    try {
      decodeRecordingZip(make());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordingFileError);
    expect((err as Error).message).toMatch(message);
  });
});
