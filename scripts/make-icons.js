#!/usr/bin/env node
// Draws the app and tray icons into assets/ with nothing but node:zlib: a rounded square
// holding an agent "eye". Deterministic (same bytes every run), so the committed PNGs
// only change when this drawing does. Run: node scripts/make-icons.js
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const APP_SIZES = [16, 32, 48, 64, 128, 256, 512];
/** Samples per pixel side: 4x4 supersampling gives smooth edges even at 16 px. */
const SUPERSAMPLE = 4;

const COLORS = {
  slateTop: [0x2b, 0x3a, 0x67, 255],
  slateBottom: [0x16, 0x1d, 0x3a, 255],
  white: [0xf7, 0xf9, 0xff, 255],
  iris: [0x2e, 0xc4, 0xb6, 255],
  pupil: [0x10, 0x14, 0x2a, 255],
  badge: [0xff, 0x9f, 0x1c, 255],
  errorTop: [0xd6, 0x3a, 0x3a, 255],
  errorBottom: [0x9b, 0x1d, 0x20, 255],
  greyTop: [0x8a, 0x90, 0x9c, 255],
  greyBottom: [0x5f, 0x65, 0x70, 255],
  black: [0, 0, 0, 255],
  clear: [0, 0, 0, 0],
};

// ---- geometry (unit square, y down) -------------------------------------------------

function inRoundedSquare(x, y, margin, radius) {
  const half = 0.5 - margin;
  const dx = Math.max(Math.abs(x - 0.5) - (half - radius), 0);
  const dy = Math.max(Math.abs(y - 0.5) - (half - radius), 0);
  return (
    Math.abs(x - 0.5) <= half && Math.abs(y - 0.5) <= half && dx * dx + dy * dy <= radius * radius
  );
}

function inCircle(x, y, cx, cy, r) {
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** An almond (lens) of width w and height h centred in the square: two intersecting circles. */
function inEye(x, y, w, h) {
  const a = h / 2;
  const b = (w / 2) ** 2;
  // (R - d) = a and (R - d)(R + d) = b  →  R + d = b / a
  const R = (a + b / a) / 2;
  const d = R - a;
  return inCircle(x, y, 0.5, 0.5 + d, R) && inCircle(x, y, 0.5, 0.5 - d, R);
}

function mix(a, b, t) {
  return a.map((v, i) => v + (b[i] - v) * t);
}

/** One glyph style: returns the colour at (x, y). */
function painter(style) {
  const { margin, radius, eyeW, eyeH, iris, pupil, top, bottom, badge, template } = style;
  return (x, y) => {
    if (badge && inCircle(x, y, 0.8, 0.2, 0.2)) return COLORS.badge;
    // A transparent ring keeps the badge readable against the square.
    if (badge && inCircle(x, y, 0.8, 0.2, 0.27)) return COLORS.clear;
    if (!inRoundedSquare(x, y, margin, radius)) return COLORS.clear;
    const body = template ? COLORS.black : mix(top, bottom, y);
    if (!inEye(x, y, eyeW, eyeH)) return body;
    if (inCircle(x, y, 0.5, 0.5, pupil)) return template ? COLORS.clear : COLORS.pupil;
    if (inCircle(x, y, 0.5, 0.5, iris)) {
      if (!template && inCircle(x, y, 0.455, 0.455, iris * 0.28)) return COLORS.white;
      return template ? COLORS.black : COLORS.iris;
    }
    return template ? COLORS.clear : COLORS.white;
  };
}

function render(size, paint) {
  const pixels = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = paint((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size);
          // Premultiplied sums, so transparent samples do not darken the edges.
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const o = (py * size + px) * 4;
      pixels[o] = a ? Math.round(r / a) : 0;
      pixels[o + 1] = a ? Math.round(g / a) : 0;
      pixels[o + 2] = a ? Math.round(b / a) : 0;
      pixels[o + 3] = Math.round(a / (n * n));
    }
  }
  return encodePng(size, size, pixels);
}

// ---- PNG encoding -------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- outputs ------------------------------------------------------------------------

const appStyle = {
  margin: 0.06,
  radius: 0.2,
  eyeW: 0.7,
  eyeH: 0.4,
  iris: 0.15,
  pupil: 0.065,
  top: COLORS.slateTop,
  bottom: COLORS.slateBottom,
};
// Tray glyphs fill their cell and enlarge the eye: they are seen at 16-22 px.
const trayStyle = {
  ...appStyle,
  margin: 0.02,
  radius: 0.22,
  eyeW: 0.82,
  eyeH: 0.5,
  iris: 0.17,
  pupil: 0.075,
};

const outputs = [
  ...APP_SIZES.map((size) => [`icons/${size}x${size}.png`, size, appStyle]),
  ['tray/tray.png', 16, trayStyle],
  ['tray/tray@2x.png', 32, trayStyle],
  ['tray/tray-pending.png', 16, { ...trayStyle, badge: true }],
  ['tray/tray-pending@2x.png', 32, { ...trayStyle, badge: true }],
  ['tray/tray-error.png', 16, { ...trayStyle, top: COLORS.errorTop, bottom: COLORS.errorBottom }],
  [
    'tray/tray-error@2x.png',
    32,
    { ...trayStyle, top: COLORS.errorTop, bottom: COLORS.errorBottom },
  ],
  ['tray/tray-stopped.png', 16, { ...trayStyle, top: COLORS.greyTop, bottom: COLORS.greyBottom }],
  [
    'tray/tray-stopped@2x.png',
    32,
    { ...trayStyle, top: COLORS.greyTop, bottom: COLORS.greyBottom },
  ],
  ['tray/trayTemplate.png', 16, { ...trayStyle, template: true }],
  ['tray/trayTemplate@2x.png', 32, { ...trayStyle, template: true }],
];

for (const [file, size, style] of outputs) {
  const target = join(ROOT, 'assets', file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, render(size, painter(style)));
}
console.log(`wrote ${outputs.length} icons under assets/`);
