/**
 * A labelled set of rendered, photographed-looking pictures for measuring make/model/year reading:
 * FTC Buyers Guides, Monroney labels and dealers' stickers in several layouts and fonts, close up on
 * real car photos (../shared/media), turned, sheared, blurred and with glare; and rear badges
 * rendered onto the real Camaro's trunk at a badge's size and angle. The cars are drawn (seeded) from
 * the generated US catalogue, so nothing is chosen for a fixture. Each picture carries its truth and
 * the car's box.
 */
import sharp, { type OverlayOptions } from 'sharp';
import { mulberry32 } from '../../../fixtures/prng.js';
import { sharedFile } from '../../helpers/shared.js';
import type { Box } from '../../../src/core/geometry.js';
import { marketCatalogue, type Market } from '../../../src/vehicle/badge-catalogue.js';

export interface LabelledPicture {
  name: string;
  kind: 'buyers-guide' | 'monroney' | 'dealer-sticker' | 'price-board' | 'rear-badge';
  /** The market whose catalogue the car was drawn from (and is read against). */
  market: Market;
  jpeg: Buffer;
  width: number;
  height: number;
  car: Box;
  truth: { make: string; model: string; year?: number };
  /** Money printed on the picture that must never come back. */
  prices: string[];
}

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/**
 * A font size at most `size` at which `text` fits `width` pixels: a printed sticker's value never runs
 * into the next column or off the label (0.62 em: a wide font's mean capital advance).
 */
const fitted = (text: string, size: number, width: number) => Math.max(10, Math.min(size, Math.floor(width / (Math.max(1, text.length) * 0.62))));
const FONTS = ['DejaVu Sans', 'Liberation Sans', 'DejaVu Serif', 'Liberation Serif', 'DejaVu Sans Condensed', 'Liberation Mono'];

/** Cars sold in recent years, from the generated catalogue: make, model and a year inside the model's years. */
export function drawCars(count: number, rand: () => number, market: Market = 'us'): { make: string; model: string; year: number }[] {
  const pool = marketCatalogue(market).makes.flatMap((make) =>
    make.models
      .filter((m) => (m.years?.[1] ?? 2026) >= 2012 && (m.years?.[0] ?? 0) <= 2024 && /[A-Za-z]/.test(m.name) && m.name.length >= 3 && m.name.length <= 14)
      .map((m) => ({ make: make.make, model: m.name, from: Math.max(2012, m.years?.[0] ?? 2012), to: Math.min(2025, m.years?.[1] ?? 2025) })),
  );
  return Array.from({ length: count }, () => {
    const car = pick(rand, pool);
    return { make: car.make, model: car.model, year: car.from + Math.floor(rand() * (car.to - car.from + 1)) };
  });
}

const price = (rand: () => number) => `$${(12 + Math.floor(rand() * 40)).toString()},${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;

function buyersGuide(car: { make: string; model: string; year: number }, font: string, rand: () => number): { svg: string; width: number; height: number; prices: string[] } {
  const w = 700;
  const h = 560;
  const dealerPrice = price(rand);
  const cols = [
    { x: 30, label: 'VEHICLE MAKE', value: car.make.toUpperCase() },
    { x: 230, label: 'MODEL', value: car.model.toUpperCase() },
    { x: 420, label: 'YEAR', value: String(car.year) },
    { x: 520, label: 'VIN NUMBER', value: '' },
  ];
  const body = `<rect width="${w}" height="${h}" fill="#fdfdf8"/>
    <text x="${w / 2}" y="60" text-anchor="middle" font-family="${font}" font-weight="bold" font-size="46">BUYERS GUIDE</text>
    <text x="30" y="100" font-family="${font}" font-size="15">IMPORTANT: Spoken promises are difficult to enforce. Ask the dealer</text>
    <text x="30" y="120" font-family="${font}" font-size="15">to put all promises in writing. Keep this form.</text>
    ${cols.map((c) => `<text x="${c.x}" y="175" font-family="Liberation Mono" font-weight="bold" font-size="${fitted(c.value, 24, 180)}">${esc(c.value)}</text><line x1="${c.x}" y1="185" x2="${c.x + 170}" y2="185" stroke="#000" stroke-width="2"/><text x="${c.x}" y="205" font-family="${font}" font-size="15">${c.label}</text>`).join('')}
    <text x="30" y="250" font-family="${font}" font-size="15">DEALER STOCK NUMBER (Optional)</text>
    <rect x="30" y="280" width="26" height="26" fill="none" stroke="#000" stroke-width="3"/><text x="70" y="302" font-family="${font}" font-weight="bold" font-size="28">AS IS - NO DEALER WARRANTY</text>
    <rect x="30" y="350" width="26" height="26" fill="none" stroke="#000" stroke-width="3"/><text x="70" y="372" font-family="${font}" font-weight="bold" font-size="28">DEALER WARRANTY</text>
    <text x="30" y="440" font-family="${font}" font-size="22">SALE PRICE ${dealerPrice}</text>
    <text x="30" y="500" font-family="${font}" font-size="15">SERVICE CONTRACT. A service contract is available at an extra charge.</text>`;
  return { svg: body, width: w, height: h, prices: [dealerPrice] };
}

function monroney(car: { make: string; model: string; year: number }, font: string, rand: () => number): { svg: string; width: number; height: number; prices: string[] } {
  const w = 720;
  const h = 520;
  const msrp = price(rand);
  const option = `$${1 + Math.floor(rand() * 3)},${String(Math.floor(rand() * 1000)).padStart(3, '0')}`;
  const colour = pick(rand, ['Oxford White', 'Magnetic Grey Metallic', 'Radiant Red', 'Midnight Black', 'Celestial Silver']);
  const engine = pick(rand, ['2.0L I4 Turbo', '2.5L 4-Cylinder', '3.5L V6', '1.5L Turbo I4', 'Electric Motor']);
  const headline = rand() < 0.5;
  const rows = headline
    ? [`${car.year} ${car.make.toUpperCase()} ${car.model.toUpperCase()}`]
    : [];
  const pairs: [string, string][] = headline
    ? [['EXTERIOR:', colour], ['INTERIOR:', 'Black Cloth'], ['ENGINE:', engine], ['TRANSMISSION:', '8-Speed Automatic']]
    : [['MODEL YEAR', String(car.year)], ['MAKE', car.make], ['MODEL', car.model], ['EXTERIOR', colour], ['ENGINE', engine]];
  const body = `<rect width="${w}" height="${h}" fill="#ffffff"/><rect x="8" y="8" width="${w - 16}" height="${h - 16}" fill="none" stroke="#1a3c8c" stroke-width="4"/>
    ${rows.map((r) => `<text x="30" y="60" font-family="${font}" font-weight="bold" font-size="${fitted(r, 30, w - 60)}">${esc(r)}</text>`).join('')}
    ${pairs.map(([label, value], i) => `<text x="30" y="${(headline ? 110 : 60) + i * 38}" font-family="${font}" font-weight="bold" font-size="20">${label}</text><text x="220" y="${(headline ? 110 : 60) + i * 38}" font-family="${font}" font-size="${fitted(value, 20, w - 250)}">${esc(value)}</text>`).join('')}
    <text x="30" y="350" font-family="${font}" font-size="18">STANDARD EQUIPMENT: Rear View Camera, Lane Keeping Assist</text>
    <text x="30" y="380" font-family="${font}" font-size="18">Optional package ${option}</text>
    <rect x="440" y="400" width="250" height="90" fill="#e9eef8"/><text x="455" y="430" font-family="${font}" font-size="14">TOTAL MSRP</text><text x="455" y="470" font-family="${font}" font-weight="bold" font-size="30">${msrp}</text>
    <text x="30" y="470" font-family="${font}" font-size="18">28 MPG CITY / 34 MPG HWY</text>`;
  return { svg: body, width: w, height: h, prices: [msrp, option] };
}

function dealerSticker(car: { make: string; model: string; year: number }, font: string, rand: () => number): { svg: string; width: number; height: number; prices: string[] } {
  const w = 520;
  const h = 420;
  const ask = price(rand);
  const monthly = `$${200 + Math.floor(rand() * 300)}/mo`;
  const miles = `${10 + Math.floor(rand() * 80)},${String(Math.floor(rand() * 1000)).padStart(3, '0')} mi`;
  const cells: [string, string][] = [['YEAR', String(car.year)], ['MAKE', car.make], ['MODEL', car.model], ['MILEAGE', miles]];
  const body = `<rect width="${w}" height="${h}" fill="#fff8d8"/><rect x="6" y="6" width="${w - 12}" height="${h - 12}" fill="none" stroke="#c00" stroke-width="6"/>
    ${cells.map(([label, value], i) => `<text x="${30 + (i % 2) * 250}" y="${60 + Math.floor(i / 2) * 110}" font-family="${font}" font-size="18" fill="#444">${label}</text><text x="${30 + (i % 2) * 250}" y="${95 + Math.floor(i / 2) * 110}" font-family="${font}" font-weight="bold" font-size="${fitted(value, 28, 230)}">${esc(value)}</text>`).join('')}
    <text x="30" y="300" font-family="${font}" font-weight="bold" font-size="40" fill="#c00">${ask}</text>
    <text x="30" y="350" font-family="${font}" font-size="22">or ${monthly}</text>`;
  return { svg: body, width: w, height: h, prices: [ask, monthly] };
}

/**
 * A European dealer's price board (German): label/value rows (Marke, Modell, Erstzulassung MM/YYYY,
 * Kilometerstand, Kraftstoff, Getriebe) or a headline with the make and model over an "EZ 03.2019"
 * line, and the price in large figures.
 */
function priceBoard(car: { make: string; model: string; year: number }, font: string, rand: () => number): { svg: string; width: number; height: number; prices: string[] } {
  const w = 600;
  const h = 480;
  const euros = `${10 + Math.floor(rand() * 50)}.${String(Math.floor(rand() * 1000)).padStart(3, '0')} €`;
  const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
  const km = `${5 + Math.floor(rand() * 150)}.${String(Math.floor(rand() * 1000)).padStart(3, '0')} km`;
  const fuel = pick(rand, ['Benzin', 'Diesel', 'Elektro', 'Hybrid (Benzin/Elektro)']);
  const gearbox = pick(rand, ['Automatik', 'Schaltgetriebe']);
  const headline = rand() < 0.5;
  const rows: [string, string][] = headline
    ? [['EZ', `${month}.${car.year}`], ['Kilometerstand', km], ['Kraftstoff', fuel], ['Getriebe', gearbox]]
    : [['Marke', car.make], ['Modell', car.model], ['Erstzulassung', `${month}/${car.year}`], ['Kilometerstand', km], ['Kraftstoff', fuel], ['Getriebe', gearbox]];
  const top = headline ? 120 : 60;
  const title = `${car.make} ${car.model}`;
  const body = `<rect width="${w}" height="${h}" fill="#ffffff"/><rect x="0" y="0" width="${w}" height="24" fill="#0a3d91"/>
    ${headline ? `<text x="30" y="80" font-family="${font}" font-weight="bold" font-size="${fitted(title, 36, w - 60)}">${esc(title)}</text>` : ''}
    ${rows.map(([label, value], i) => `<text x="30" y="${top + i * 36}" font-family="${font}" font-size="20" fill="#333">${label}:</text><text x="230" y="${top + i * 36}" font-family="${font}" font-weight="bold" font-size="${fitted(value, 20, w - 260)}">${esc(value)}</text>`).join('')}
    <text x="30" y="${h - 40}" font-family="${font}" font-weight="bold" font-size="44" fill="#c00">${euros}</text>`;
  return { svg: body, width: w, height: h, prices: [euros] };
}

const svgBuffer = (w: number, h: number, body: string) => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`);

/** Turns, shears, blurs and lights a flat rendering as a hand-held photo would. */
async function photographed(flat: Buffer, rand: () => number): Promise<Buffer> {
  const shear = (rand() - 0.5) * 0.12;
  const angle = (rand() - 0.5) * 8;
  const blur = 0.3 + rand() * 1.0;
  const turned = await sharp(flat).affine([[1, shear], [0, 1]], { background: '#00000000' }).rotate(angle, { background: '#00000000' }).png().toBuffer();
  const meta = await sharp(turned).metadata();
  const w = meta.width ?? 1;
  const h = meta.height ?? 1;
  const glare = svgBuffer(w, h, `<defs><radialGradient id="g"><stop offset="0" stop-color="#fff" stop-opacity="0.55"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>
    <ellipse cx="${w * (0.2 + rand() * 0.6)}" cy="${h * (0.2 + rand() * 0.6)}" rx="${w * 0.25}" ry="${h * 0.18}" fill="url(#g)"/>`);
  return sharp(turned)
    .composite([{ input: glare, blend: 'over' }])
    .modulate({ brightness: 0.8 + rand() * 0.35 })
    .blur(blur)
    .png()
    .toBuffer();
}

const BACKGROUNDS = ['media/images/evox-camaro-spin/camaro_050.jpg', 'media/images/evox-camaro-spin/camaro_140.jpg', 'media/images/stanford-cars/03198.jpg', 'media/images/stanford-cars/05509.jpg'];

/** A close-up of a document on a car's window: the car fills the frame. */
const RENDERERS = { 'buyers-guide': buyersGuide, monroney, 'dealer-sticker': dealerSticker, 'price-board': priceBoard } as const;

async function documentPicture(kind: keyof typeof RENDERERS, car: { make: string; model: string; year: number }, rand: () => number, name: string, market: Market = 'us'): Promise<LabelledPicture> {
  const font = pick(rand, FONTS);
  const doc = RENDERERS[kind](car, font, rand);
  const width = 1280;
  const height = 960;
  const docWidth = Math.round(width * (0.55 + rand() * 0.25));
  const flat = await sharp(svgBuffer(doc.width, doc.height, doc.svg)).resize(docWidth).png().toBuffer();
  const photo = await photographed(flat, rand);
  const meta = await sharp(photo).metadata();
  const background = await sharp(sharedFile(pick(rand, BACKGROUNDS))).resize(width, height, { fit: 'cover' }).modulate({ brightness: 0.6 }).toBuffer();
  const left = Math.max(0, Math.round((width - (meta.width ?? 0)) * rand()));
  const top = Math.max(0, Math.round((height - (meta.height ?? 0)) * rand()));
  const fitted = await sharp(photo).resize({ width: Math.min(meta.width ?? width, width), height: Math.min(meta.height ?? height, height), fit: 'inside' }).toBuffer();
  const jpeg = await sharp(background).composite([{ input: fitted, left, top }]).jpeg({ quality: 85 + Math.floor(rand() * 10) }).toBuffer();
  return { name, kind, market, jpeg, width, height, car: { x1: 0, y1: 0, x2: width, y2: height }, truth: car, prices: doc.prices };
}

/**
 * A rear badge (the model's name, and the make's in half of them) in chrome, black or white on the
 * real Camaro's trunk (evox frame 090, enlarged), at a badge's size, slightly turned and blurred.
 */
async function badgePicture(car: { make: string; model: string }, rand: () => number, name: string): Promise<LabelledPicture> {
  const crop = { left: 380, top: 180, width: 360, height: 220 };
  const width = 1280;
  const scale = width / crop.width;
  const height = Math.round(crop.height * scale);
  const base = await sharp(sharedFile('media/images/evox-camaro-spin/camaro_090.jpg')).extract(crop).resize(width, height).toBuffer();
  const letters = Math.round(height * (0.035 + rand() * 0.02));
  const font = pick(rand, ['DejaVu Sans', 'Liberation Sans', 'DejaVu Sans Condensed', 'DejaVu Serif']);
  const [fill, stroke] = pick(rand, [['#e6e8ea', '#6b7078'], ['#111', '#888'], ['#f4f4f4', '#333']]);
  const badge = (text: string) => {
    const w = Math.round(text.length * letters * 0.8 + letters);
    const h = Math.round(letters * 1.5);
    return { w, svg: svgBuffer(w, h, `<text x="${w / 2}" y="${letters * 1.15}" text-anchor="middle" font-family="${font}" font-weight="bold" font-size="${letters}" letter-spacing="${letters * 0.08}" fill="${fill}" stroke="${stroke}" stroke-width="${Math.max(1, letters / 18)}">${esc(text)}</text>`) };
  };
  const layers: OverlayOptions[] = [];
  const angle = (rand() - 0.5) * 5;
  const model = badge(car.model.toUpperCase());
  const modelImage = await sharp(model.svg).rotate(angle, { background: '#00000000' }).png().toBuffer();
  // The trunk between the tail lights, below the spoiler: original x 470..690, y 282..300.
  layers.push({ input: modelImage, left: Math.round((470 - crop.left) * scale), top: Math.round((284 - crop.top) * scale) });
  const withMake = rand() < 0.5;
  if (withMake) {
    const make = badge(car.make.toUpperCase());
    const makeImage = await sharp(make.svg).rotate(angle, { background: '#00000000' }).png().toBuffer();
    layers.push({ input: makeImage, left: Math.round((690 - crop.left) * scale - make.w), top: Math.round((284 - crop.top) * scale) });
  }
  const jpeg = await sharp(base).composite(layers).blur(0.4 + rand() * 0.8).jpeg({ quality: 88 }).toBuffer();
  return { name, kind: 'rear-badge', market: 'us', jpeg, width, height, car: { x1: 0, y1: 0, x2: width, y2: height }, truth: { make: car.make, model: car.model }, prices: [] };
}

/**
 * The whole set: `documents` of each US document kind, `badges` rear badges, then `documents` European
 * price boards of cars drawn from the EU catalogue (drawn last, so the earlier pictures of a seed stay
 * what they were).
 */
export async function labelledSet(options: { documents: number; badges: number; seed?: number }): Promise<LabelledPicture[]> {
  const rand = mulberry32(options.seed ?? 14);
  const pictures: LabelledPicture[] = [];
  const kinds = ['buyers-guide', 'monroney', 'dealer-sticker'] as const;
  for (const kind of kinds) {
    for (const [i, car] of drawCars(options.documents, rand).entries()) pictures.push(await documentPicture(kind, car, rand, `${kind}-${i}.jpg`));
  }
  for (const [i, car] of drawCars(options.badges, rand).entries()) pictures.push(await badgePicture(car, rand, `rear-badge-${i}.jpg`));
  for (const [i, car] of drawCars(options.documents, rand, 'eu').entries()) pictures.push(await documentPicture('price-board', car, rand, `price-board-${i}.jpg`, 'eu'));
  return pictures;
}
