/**
 * Synthetic but realistic pictures for the text tests, rendered with sharp from SVG: a VIN plate, a
 * door-jamb label, a window sticker, and a real car photo (../shared) with a licence plate and a
 * dealer's sticker on its rear glass.
 */
import sharp from 'sharp';
import { sharedFile } from '../../helpers/shared.js';

/** Real, check-digit-valid VINs that vPIC decodes. */
export const CAMARO_VIN = '1G1FJ1R70H0101234'; // Chevrolet Camaro 2017 ZL1
export const KONA_VIN = 'KM8K2CAB4PU001140'; // Hyundai Kona 2023 SE
export const PLATE_TEXT = '7ABC123';
export const STICKER_PRICE = '$54,995';

const svg = (width: number, height: number, body: string) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${body}</svg>`);

export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

async function toRgb(image: ReturnType<typeof sharp>): Promise<Rgb> {
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** A riveted aluminium VIN plate as seen through the windscreen: grey, slightly blurred, embossed digits. */
export function vinPlate(vin = KONA_VIN): Promise<Rgb> {
  const body = `<rect width="900" height="360" fill="#3a3d42"/>
    <rect x="70" y="90" width="760" height="170" rx="10" fill="#b9bcb8" stroke="#7d817c" stroke-width="4"/>
    <circle cx="100" cy="175" r="9" fill="#8b8f8a"/><circle cx="800" cy="175" r="9" fill="#8b8f8a"/>
    <text x="450" y="150" text-anchor="middle" font-family="DejaVu Sans" font-size="26" fill="#333">VEHICLE IDENTIFICATION NUMBER</text>
    <text x="450" y="222" text-anchor="middle" font-family="DejaVu Sans Mono" font-weight="bold" font-size="50" fill="#161616">${vin}</text>`;
  return toRgb(sharp(svg(900, 360, body)).blur(0.8));
}

/** A door-jamb certification label: small print, a bar code, the VIN among other lines. */
export function doorJambLabel(vin = KONA_VIN): Promise<Rgb> {
  const bars = Array.from({ length: 60 }, (_, i) => `<rect x="${120 + i * 9}" y="330" width="${(i * 7) % 3 === 0 ? 5 : 3}" height="60" fill="#111"/>`).join('');
  const body = `<rect width="900" height="480" fill="#5b6068"/>
    <rect x="90" y="40" width="720" height="400" fill="#f4f2ea" stroke="#222" stroke-width="3"/>
    <text x="120" y="90" font-family="Liberation Sans" font-size="24" fill="#111">MFD. BY: HYUNDAI MOTOR CO.</text>
    <text x="620" y="90" font-family="Liberation Sans" font-size="24" fill="#111">05/23</text>
    <text x="120" y="135" font-family="Liberation Sans" font-size="22" fill="#111">GVWR 4,541 LB   GAWR FRT 2,403 LB</text>
    <text x="120" y="180" font-family="Liberation Sans" font-size="22" fill="#111">THIS VEHICLE CONFORMS TO ALL APPLICABLE</text>
    <text x="120" y="212" font-family="Liberation Sans" font-size="22" fill="#111">U.S. FEDERAL MOTOR VEHICLE SAFETY STANDARDS</text>
    <text x="120" y="290" font-family="Liberation Sans" font-weight="bold" font-size="30" fill="#111">VIN: ${vin}</text>${bars}`;
  return toRgb(sharp(svg(900, 480, body)).blur(0.6));
}

/** A dealer's window sticker with year, make, model, trim, mileage and price. */
export function windowStickerSvg(lines: { year: number; make: string; model: string; trim: string; mileage: string; vin?: string }, width = 420): Buffer {
  const rows = [
    `${lines.year} ${lines.make.toUpperCase()} ${lines.model.toUpperCase()}`,
    lines.trim.toUpperCase(),
    ...(lines.vin ? [`VIN ${lines.vin}`] : []),
    `MILEAGE ${lines.mileage}`,
    `PRICE ${STICKER_PRICE}`,
  ];
  const lineHeight = 42;
  const height = 30 + rows.length * lineHeight;
  const text = rows
    .map((row, i) => `<text x="20" y="${58 + i * lineHeight}" font-family="DejaVu Sans" font-weight="bold" font-size="${i === 0 ? 28 : 24}" fill="#111">${row}</text>`)
    .join('');
  return svg(width, height, `<rect width="${width}" height="${height}" fill="#fbfbf4" stroke="#c00" stroke-width="6"/>${text}`);
}

export async function windowSticker(): Promise<Rgb> {
  const sticker = windowStickerSvg({ year: 2019, make: 'Ford', model: 'Escape', trim: 'Titanium', mileage: '23,456 mi' }, 520);
  return toRgb(sharp({ create: { width: 700, height: 420, channels: 3, background: '#26303a' } }).composite([{ input: sticker, left: 90, top: 60 }]));
}

/**
 * The rear of the real Camaro photo (evox spin frame 090) enlarged to `width`, its plate holder
 * covered by a US-style plate reading PLATE_TEXT and a dealer's sticker on the rear glass. Returns the
 * JPEG and the plate's rectangle.
 */
export async function camaroRear(width = 1280): Promise<{ jpeg: Buffer; plate: { left: number; top: number; width: number; height: number } }> {
  // The car in the 1024x512 original: x 380..740, y 180..400; its plate holder at about 565..608 x 296..318.
  const crop = { left: 380, top: 180, width: 360, height: 220 };
  const scale = width / crop.width;
  const height = Math.round(crop.height * scale);
  const base = await sharp(sharedFile('media/images/evox-camaro-spin/camaro_090.jpg')).extract(crop).resize(width, height).toBuffer();
  const plate = { left: Math.round((562 - crop.left) * scale), top: Math.round((294 - crop.top) * scale), width: Math.round(50 * scale), height: Math.round(25 * scale) };
  const plateSvg = svg(plate.width, plate.height, `<rect width="${plate.width}" height="${plate.height}" rx="6" fill="#f7f7f2" stroke="#223" stroke-width="3"/>
    <text x="${plate.width / 2}" y="${plate.height * 0.78}" text-anchor="middle" font-family="DejaVu Sans" font-weight="bold" font-size="${Math.round(Math.min(plate.height * 0.6, (plate.width * 0.85) / (0.66 * PLATE_TEXT.length)))}" fill="#1b2a6b">${PLATE_TEXT}</text>`);
  const sticker = windowStickerSvg({ year: 2017, make: 'Chevrolet', model: 'Camaro', trim: 'ZL1', mileage: '23,456 mi', vin: CAMARO_VIN }, 520);
  const stickerSize = await sharp(sticker).metadata();
  const stickerScale = (0.22 * width) / (stickerSize.width ?? 520);
  const smallSticker = await sharp(sticker).resize(Math.round((stickerSize.width ?? 520) * stickerScale)).toBuffer();
  const jpeg = await sharp(base)
    .composite([
      { input: plateSvg, left: plate.left, top: plate.top },
      { input: smallSticker, left: Math.round(0.52 * width), top: Math.round(0.2 * height) },
    ])
    .jpeg({ quality: 92 })
    .toBuffer();
  return { jpeg, plate };
}
