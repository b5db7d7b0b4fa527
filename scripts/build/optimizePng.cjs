// Lossless PNG re-compression with Node's zlib only (no dependency, nothing to download): decode the rows, filter
// them again (two ways), deflate at level 9 (two strategies), keep the smallest, and drop ancillary chunks other
// than tRNS. The pixels stay identical. The README screenshots are the UI tests' clipped truecolour screenshots;
// Chromium's encoder leaves 10–15 % to gain.
// Usage: node scripts/build/optimizePng.cjs <file.png>…   (rewrites each file in place when it gets smaller)
const fs = require('node:fs');
const zlib = require('node:zlib');

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** Bytes per pixel at bit depth 8, by colour type. */
const BYTES_PER_PIXEL = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const KEPT_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS']);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) {
    c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return c >>> 0;
});

function crc32(buffer) {
  let crc = ~0;
  for (const byte of buffer) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}

/** The chunks of a PNG file as { type, data }; throws when the signature is missing. */
function readChunks(png) {
  if (!png.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('not a PNG file');
  }
  const chunks = [];
  for (let at = 8; at + 8 <= png.length;) {
    const length = png.readUInt32BE(at);
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

function chunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const frame = Buffer.alloc(8 + typeAndData.length);
  frame.writeUInt32BE(data.length, 0);
  typeAndData.copy(frame, 4);
  frame.writeUInt32BE(crc32(typeAndData), 4 + typeAndData.length);
  return frame;
}

function paeth(a, b, c) {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function predict(type, rows, at, x, stride, bpp) {
  const a = x >= bpp ? rows[at + x - bpp] : 0;
  const b = at >= stride ? rows[at + x - stride] : 0;
  const c = x >= bpp && at >= stride ? rows[at + x - stride - bpp] : 0;
  return [0, a, b, (a + b) >> 1, paeth(a, b, c)][type];
}

/** The decoded rows (no filter bytes) of an 8-bit, non-interlaced image: `height` × `stride` bytes. */
function decodeRows(png) {
  const chunks = readChunks(png);
  const ihdr = chunks[0].data;
  const [width, height, depth, colour, interlace] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9], ihdr[12]];
  if (depth !== 8 || interlace !== 0) {
    return undefined;
  }
  const bpp = BYTES_PER_PIXEL[colour];
  const stride = width * bpp;
  const data = zlib.inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const rows = Buffer.alloc(height * stride);
  for (let y = 0, at = 0; y < height; y++, at += stride) {
    const type = data[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      rows[at + x] = (data[y * (stride + 1) + 1 + x] + predict(type, rows, at, x, stride, bpp)) & 0xff;
    }
  }
  return { chunks, rows, height, stride, bpp };
}

/** Filters every row with `choose(y)`'s filter type. */
function filterRows({ rows, height, stride, bpp }, choose) {
  const out = Buffer.alloc(height * (stride + 1));
  for (let y = 0, at = 0; y < height; y++, at += stride) {
    const type = choose(y, at);
    out[y * (stride + 1)] = type;
    for (let x = 0; x < stride; x++) {
      out[y * (stride + 1) + 1 + x] = (rows[at + x] - predict(type, rows, at, x, stride, bpp)) & 0xff;
    }
  }
  return out;
}

/** "Up" for a row that repeats the one above (it becomes zeros), none otherwise: what suits palette images. */
function repeatsAsUp(image) {
  const { rows, stride } = image;
  return filterRows(image, (y, at) => (y > 0 && rows.compare(rows, at - stride, at, at, at + stride) === 0 ? 2 : 0));
}

/** Per row, the filter with the smallest sum of absolute signed residuals (the libpng heuristic). */
function minimumSum(image) {
  const { rows, stride, bpp } = image;
  return filterRows(image, (_, at) => {
    const sums = [0, 1, 2, 3, 4].map((type) => {
      let sum = 0;
      for (let x = 0; x < stride; x++) {
        const value = (rows[at + x] - predict(type, rows, at, x, stride, bpp)) & 0xff;
        sum += value < 128 ? value : 256 - value;
      }
      return sum;
    });
    return sums.indexOf(Math.min(...sums));
  });
}

/** A PNG with the same pixels, at most as large as `png` (the input itself when nothing is gained). */
function optimizePng(png) {
  const image = decodeRows(png);
  if (!image) {
    return png;
  }
  const filtered = image.bpp === 1 ? [repeatsAsUp(image)] : [repeatsAsUp(image), minimumSum(image)];
  const strategies = [zlib.constants.Z_DEFAULT_STRATEGY, zlib.constants.Z_FILTERED];
  const idat = filtered.flatMap((data) => strategies.map((strategy) => zlib.deflateSync(data, { level: 9, memLevel: 9, strategy })))
    .reduce((a, b) => (b.length < a.length ? b : a));
  const kept = image.chunks.filter((c) => KEPT_CHUNKS.has(c.type)).map((c) => chunk(c.type, c.data));
  const result = Buffer.concat([SIGNATURE, ...kept, chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
  return result.length < png.length ? result : png;
}

module.exports = { decodeRows, optimizePng };

if (require.main === module) {
  let saved = 0;
  for (const file of process.argv.slice(2)) {
    const before = fs.readFileSync(file);
    const after = optimizePng(before);
    if (after !== before) {
      fs.writeFileSync(file, after);
      saved += before.length - after.length;
    }
  }
  console.log(`PNG re-compression: ${process.argv.length - 2} files, ${(saved / 1024).toFixed(1)} KiB saved`);
}
