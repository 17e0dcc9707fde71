/**
 * Frame sources in Node: the centred square crop (golden rectangles), RGBA → RGB packing, the shared
 * capture path over a fake 2D canvas (crop and scale handed to drawImage, readback packed as RGB), the
 * webcam stopping its tracks on dispose, the user-facing error messages and the `?source=` parameter.
 */
import { describe, expect, it, vi } from 'vitest';
import { readSourceParam } from '../../src/app/sourceAutomation';
import { isPreviewable, isSourceKind, SimFrameSource } from '../../src/app/sources/FrameSource';
import { centerCropRect, frameSide, rgbaToRgb } from '../../src/app/sources/frameGeometry';
import { ImageSource } from '../../src/app/sources/ImageSource';
import { type Context2D, MediaFrameSource } from '../../src/app/sources/MediaFrameSource';
import { isPlayable } from '../../src/app/sources/openers';
import { describeSourceError, SourceFailure } from '../../src/app/sources/sourceErrors';
import { VideoSource } from '../../src/app/sources/VideoSource';
import { WebcamSource } from '../../src/app/sources/WebcamSource';

describe('centerCropRect', () => {
  it('takes the largest centred square of landscape, portrait and square inputs', () => {
    expect(centerCropRect(640, 480)).toEqual({ sx: 80, sy: 0, sw: 480, sh: 480 });
    expect(centerCropRect(480, 640)).toEqual({ sx: 0, sy: 80, sw: 480, sh: 480 });
    expect(centerCropRect(1920, 1080)).toEqual({ sx: 420, sy: 0, sw: 1080, sh: 1080 });
    expect(centerCropRect(96, 96)).toEqual({ sx: 0, sy: 0, sw: 96, sh: 96 });
    expect(centerCropRect(300, 100)).toEqual({ sx: 100, sy: 0, sw: 100, sh: 100 });
  });

  it('puts an odd leftover pixel after the crop, and stays inside the input', () => {
    expect(centerCropRect(101, 100)).toEqual({ sx: 0, sy: 0, sw: 100, sh: 100 });
    expect(centerCropRect(103, 100)).toEqual({ sx: 1, sy: 0, sw: 100, sh: 100 });
    expect(centerCropRect(1, 7)).toEqual({ sx: 0, sy: 3, sw: 1, sh: 1 });
    for (const [w, h] of [
      [641, 479],
      [17, 1000],
      [333, 334],
    ] as const) {
      const r = centerCropRect(w, h);
      expect(r.sw).toBe(Math.min(w, h));
      expect(r.sx + r.sw).toBeLessThanOrEqual(w);
      expect(r.sy + r.sh).toBeLessThanOrEqual(h);
      // centred: the margins on both sides differ by at most one pixel
      expect(Math.abs(w - r.sx - r.sw - r.sx)).toBeLessThanOrEqual(1);
      expect(Math.abs(h - r.sy - r.sh - r.sy)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects empty or non-finite sizes', () => {
    expect(() => centerCropRect(0, 480)).toThrow(RangeError);
    expect(() => centerCropRect(640, Number.NaN)).toThrow(RangeError);
    expect(() => centerCropRect(-3, 4)).toThrow(RangeError);
  });
});

describe('frameSide and rgbaToRgb', () => {
  it('clamps the output side to the model camera range', () => {
    expect(frameSide(96)).toBe(96);
    expect(frameSide(63.6)).toBe(64);
    expect(frameSide(2)).toBe(8);
    expect(frameSide(4096)).toBe(512);
    expect(() => frameSide(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('drops alpha and keeps pixel order', () => {
    const rgba = Uint8ClampedArray.from([1, 2, 3, 255, 10, 20, 30, 0, 200, 100, 50, 7]);
    expect(Array.from(rgbaToRgb(rgba))).toEqual([1, 2, 3, 10, 20, 30, 200, 100, 50]);
    const out = new Uint8Array(9);
    expect(rgbaToRgb(rgba, out)).toBe(out);
    expect(rgbaToRgb(rgba, new Uint8Array(4))).not.toHaveLength(4);
  });
});

/** A fake 2D context: records draw calls; getImageData gives pixel i the RGBA (i, 2i, 3i, 255) mod 256. */
function fakeContext() {
  const draws: number[][] = [];
  const fills: number[][] = [];
  const reads: number[][] = [];
  const ctx: Context2D = {
    imageSmoothingEnabled: false,
    imageSmoothingQuality: 'low',
    fillStyle: '',
    fillRect: (...a: number[]) => {
      fills.push(a);
    },
    drawImage: (_img: unknown, ...a: number[]) => {
      draws.push(a);
    },
    getImageData: (x, y, w, h) => {
      reads.push([x, y, w, h]);
      const data = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) data.set([i % 256, (2 * i) % 256, (3 * i) % 256, 255], 4 * i);
      return { data };
    },
  };
  return { ctx, draws, fills, reads };
}

describe('MediaFrameSource (the shared capture path)', () => {
  it('draws the centred crop scaled to size × size with smoothing and packs the readback as RGB', () => {
    const fake = fakeContext();
    const sides: number[] = [];
    let input = { width: 640, height: 480 };
    const release = vi.fn();
    const src = new MediaFrameSource({
      kind: 'webcam',
      label: 'fake cam',
      media: {} as CanvasImageSource,
      size: () => input,
      release,
      canvas: (side) => {
        sides.push(side);
        return fake.ctx;
      },
    });
    expect(isPreviewable(src)).toBe(true);
    expect(src.inputWidth).toBe(640);
    const f = src.capture(96);
    expect(f.width).toBe(96);
    expect(f.height).toBe(96);
    expect(f.rgb).toHaveLength(96 * 96 * 3);
    expect(fake.draws[0]).toEqual([80, 0, 480, 480, 0, 0, 96, 96]);
    expect(fake.fills[0]).toEqual([0, 0, 96, 96]);
    expect(fake.reads[0]).toEqual([0, 0, 96, 96]);
    expect(fake.ctx.imageSmoothingEnabled).toBe(true);
    expect(fake.ctx.imageSmoothingQuality).toBe('high');
    // pixel 1000: RGBA (1000 % 256, 2000 % 256, 3000 % 256) = (232, 208, 184)
    expect(Array.from(f.rgb.subarray(3000, 3003))).toEqual([232, 208, 184]);
    // the same size reuses the scratch canvas; a new size or input makes a new crop
    src.capture(96);
    expect(sides).toEqual([96]);
    input = { width: 720, height: 1280 };
    src.capture(64);
    expect(sides).toEqual([96, 64]);
    expect(fake.draws[2]).toEqual([0, 280, 720, 720, 0, 0, 64, 64]);
    src.dispose();
    src.dispose();
    expect(release).toHaveBeenCalledTimes(1);
    expect(() => src.capture(64)).toThrow(/closed/);
  });

  it('an image source closes its bitmap on dispose', () => {
    const close = vi.fn();
    const bitmap = { width: 300, height: 100, close } as unknown as ImageBitmap;
    const fake = fakeContext();
    const src = new ImageSource(bitmap, 'bands.png', () => fake.ctx);
    expect(src.kind).toBe('image');
    src.capture(32);
    expect(fake.draws[0]).toEqual([100, 0, 100, 100, 0, 0, 32, 32]);
    expect(isPlayable(src)).toBe(false);
    src.dispose();
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('the sim source passes the model camera frame through', () => {
    const frame = { width: 96, height: 96, rgb: new Uint8Array(96 * 96 * 3).fill(7) };
    const sim = new SimFrameSource(() => frame);
    expect(sim.capture(96)).toBe(frame);
    expect(sim.inputWidth).toBe(96);
    expect(isPreviewable(sim)).toBe(false);
  });
});

describe('VideoSource', () => {
  /** A paused 160×120 video whose position the test moves; play()/pause() flip `paused`. */
  function fakeVideo() {
    const v = {
      videoWidth: 160,
      videoHeight: 120,
      paused: true,
      seeking: false,
      currentTime: 0,
      play: vi.fn(async () => {
        v.paused = false;
      }),
      pause: vi.fn(() => {
        v.paused = true;
      }),
    };
    return v;
  }

  it('hands out the same pixels while paused at one position, and draws again once it moves', () => {
    const fake = fakeContext();
    const v = fakeVideo();
    const src = new VideoSource(
      v as unknown as HTMLVideoElement,
      'sweep.webm',
      () => undefined,
      () => fake.ctx,
    );
    const a = src.capture(64);
    const b = src.capture(64);
    expect(fake.draws).toHaveLength(1); // the second capture did not redraw the paused frame
    expect(b.rgb).toEqual(a.rgb);
    b.rgb[0] = 99; // a copy: the caller may not change what the next capture returns
    expect(src.capture(64).rgb[0]).toBe(a.rgb[0]);
    src.capture(32); // a new size draws
    expect(fake.draws).toHaveLength(2);
    v.currentTime = 0.5; // a seek while paused draws
    src.capture(32);
    expect(fake.draws).toHaveLength(3);
    src.setPlaying(true); // playing: every capture draws
    src.capture(32);
    src.capture(32);
    expect(fake.draws).toHaveLength(5);
    src.setPlaying(false);
    src.capture(32);
    src.capture(32);
    expect(fake.draws).toHaveLength(6);
    src.restart(); // back to the start draws again even at the same reported position
    src.capture(32);
    expect(fake.draws).toHaveLength(7);
    v.seeking = true; // mid-seek nothing is kept
    src.capture(32);
    src.capture(32);
    expect(fake.draws).toHaveLength(9);
  });
});

/** A fake MediaStream with one video track whose stop() and 'ended' listeners are observable. */
function fakeStream() {
  const listeners: (() => void)[] = [];
  const track = {
    readyState: 'live' as 'live' | 'ended',
    stop: vi.fn(() => {
      track.readyState = 'ended';
    }),
    addEventListener: (type: string, l: () => void) => {
      if (type === 'ended') listeners.push(l);
    },
  };
  const stream = { getTracks: () => [track], getVideoTracks: () => [track] };
  const video = { videoWidth: 640, videoHeight: 480, srcObject: stream as unknown, pause: vi.fn() };
  const end = () => {
    track.readyState = 'ended';
    for (const l of listeners) l();
  };
  return { track, stream, video, end };
}

describe('WebcamSource', () => {
  it('stops every track when disposed (switching away turns the camera off)', () => {
    const f = fakeStream();
    const onEnded = vi.fn();
    const cam = new WebcamSource(f.stream as unknown as MediaStream, f.video as unknown as HTMLVideoElement, {
      label: 'fake_device_0',
      deviceId: 'dev-0',
      onEnded,
      canvas: () => fakeContext().ctx,
    });
    expect(cam.liveTracks).toBe(1);
    expect(cam.capture(64).width).toBe(64);
    cam.dispose();
    expect(f.track.stop).toHaveBeenCalledTimes(1);
    expect(cam.liveTracks).toBe(0);
    expect(f.video.pause).toHaveBeenCalled();
    expect(f.video.srcObject).toBeNull();
    f.end(); // the browser's 'ended' after our own stop() is not a lost camera
    expect(onEnded).not.toHaveBeenCalled();
  });

  it('reports a camera that stops by itself', () => {
    const f = fakeStream();
    const onEnded = vi.fn();
    new WebcamSource(f.stream as unknown as MediaStream, f.video as unknown as HTMLVideoElement, {
      label: 'cam',
      deviceId: 'dev-1',
      onEnded,
    });
    f.end();
    expect(onEnded).toHaveBeenCalledTimes(1);
  });
});

describe('describeSourceError', () => {
  const dom = (name: string) => Object.assign(new Error('browser text'), { name });

  it('says permission denied, no camera, camera busy — each in its own words', () => {
    const denied = describeSourceError('webcam', dom('NotAllowedError'));
    expect(denied).toMatchObject({ kind: 'webcam', name: 'NotAllowedError' });
    expect(denied.message).toMatch(/permission was denied/i);
    expect(describeSourceError('webcam', dom('NotFoundError')).message).toMatch(/no camera was found/i);
    expect(describeSourceError('webcam', dom('NotReadableError')).message).toMatch(
      /could not be started.*in use by another application/i,
    );
    expect(describeSourceError('webcam', dom('OverconstrainedError')).message).toMatch(/not available/i);
    expect(describeSourceError('webcam', dom('WeirdError')).message).toBe(
      'The camera could not be opened: browser text',
    );
  });

  it('names the unreadable file, and keeps a SourceFailure message as it is', () => {
    const img = describeSourceError('image', dom('InvalidStateError'), 'notes.txt');
    expect(img.message).toMatch(/“notes\.txt” could not be read as an image/);
    const vid = describeSourceError('video', dom('MediaError'), 'clip.avi');
    expect(vid.message).toMatch(/“clip\.avi” could not be played as a video/);
    const own = describeSourceError('webcam', new SourceFailure('TimeoutError', 'The camera gave no frame.'));
    expect(own).toEqual({ kind: 'webcam', name: 'TimeoutError', message: 'The camera gave no frame.' });
  });
});

describe('?source= and kinds', () => {
  it('accepts webcam and sim, ignores the rest', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(readSourceParam('?source=webcam&seed=2')).toBe('webcam');
    expect(readSourceParam('?source=sim')).toBe('sim');
    expect(readSourceParam('?seed=2')).toBeNull();
    expect(readSourceParam('?source=image')).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    expect(isSourceKind('video')).toBe(true);
    expect(isSourceKind('screen')).toBe(false);
  });
});
