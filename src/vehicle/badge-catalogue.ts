/**
 * Make, model and trim names that OCR text is matched against (data only). A small default list of
 * common makes; a fuller catalogue (the one CLIP uses) can be passed instead wherever a catalogue is
 * taken. `aliases` are other spellings seen on badges and stickers.
 */
export interface CatalogueModel {
  name: string;
  trims?: readonly string[];
  aliases?: readonly string[];
}

export interface CatalogueMake {
  make: string;
  aliases?: readonly string[];
  models: readonly CatalogueModel[];
}

const m = (name: string, trims?: string[], aliases?: string[]): CatalogueModel => ({ name, trims, aliases });

export const DEFAULT_CATALOGUE: readonly CatalogueMake[] = [
  { make: 'Audi', models: [m('A3'), m('A4'), m('A6'), m('Q3'), m('Q5'), m('Q7'), m('TT')] },
  { make: 'BMW', models: [m('3 Series', [], ['320i', '328i', '330i']), m('5 Series'), m('X1'), m('X3'), m('X5'), m('M3')] },
  { make: 'Chevrolet', aliases: ['Chevy'], models: [m('Camaro', ['ZL1', '1LE', 'LT', 'SS']), m('Malibu'), m('Silverado'), m('Equinox'), m('Tahoe'), m('Spark')] },
  { make: 'Chrysler', models: [m('Aspen'), m('Pacifica'), m('300')] },
  { make: 'Citroen', aliases: ['Citroën'], models: [m('C3'), m('C4'), m('Berlingo')] },
  { make: 'Dacia', models: [m('Sandero'), m('Duster'), m('Logan')] },
  { make: 'Dodge', models: [m('Charger'), m('Challenger'), m('Durango'), m('Ram')] },
  { make: 'Eagle', models: [m('Talon')] },
  { make: 'Fiat', models: [m('500'), m('Panda'), m('Tipo')] },
  { make: 'Ford', models: [m('Kuga', ['Titanium', 'Zetec', 'ST-Line']), m('Escape', ['Titanium', 'SE', 'S']), m('Focus', ['Titanium', 'Zetec', 'ST']), m('Fiesta', ['Zetec', 'Titanium', 'ST']), m('Mustang', ['GT']), m('F-150', ['XLT', 'Lariat']), m('Explorer'), m('Ranger')] },
  { make: 'Honda', models: [m('Civic', ['EX', 'LX', 'Sport']), m('Accord', ['EX', 'LX', 'EX-V6']), m('CR-V', ['EX', 'LX']), m('Jazz'), m('Fit')] },
  { make: 'Hyundai', models: [m('Kona', ['SE', 'SEL', 'Limited']), m('Tucson'), m('i30'), m('i20'), m('Elantra'), m('Santa Fe')] },
  { make: 'Jaguar', models: [m('XE'), m('XF'), m('F-Pace')] },
  { make: 'Jeep', models: [m('Wrangler'), m('Cherokee'), m('Grand Cherokee'), m('Renegade')] },
  { make: 'Kia', models: [m('Sportage'), m('Ceed'), m('Rio'), m('Sorento'), m('Niro')] },
  { make: 'Lamborghini', models: [m('Reventon'), m('Huracan'), m('Aventador')] },
  { make: 'Land Rover', models: [m('Range Rover'), m('Discovery'), m('Defender'), m('Evoque')] },
  { make: 'Lexus', models: [m('RX'), m('NX'), m('IS')] },
  { make: 'Mazda', models: [m('CX-5'), m('MX-5'), m('Mazda3', [], ['3'])] },
  { make: 'Mercedes-Benz', aliases: ['Mercedes', 'Benz'], models: [m('A-Class'), m('C-Class'), m('E-Class'), m('GLC'), m('Sprinter')] },
  { make: 'Mini', models: [m('Cooper', ['S']), m('Countryman')] },
  { make: 'Mitsubishi', models: [m('Outlander'), m('L200'), m('ASX')] },
  { make: 'Nissan', models: [m('Qashqai'), m('Juke'), m('Micra'), m('Leaf'), m('Altima'), m('Rogue')] },
  { make: 'Opel', aliases: ['Vauxhall'], models: [m('Corsa'), m('Astra'), m('Insignia'), m('Mokka')] },
  { make: 'Peugeot', models: [m('208'), m('308'), m('2008'), m('3008')] },
  { make: 'Porsche', models: [m('911'), m('Cayenne'), m('Macan')] },
  { make: 'Renault', models: [m('Clio'), m('Megane'), m('Captur'), m('Kangoo')] },
  { make: 'Seat', models: [m('Ibiza'), m('Leon'), m('Ateca')] },
  { make: 'Skoda', aliases: ['Škoda'], models: [m('Octavia'), m('Fabia'), m('Superb'), m('Kodiaq')] },
  { make: 'Subaru', models: [m('Impreza'), m('Forester'), m('Outback')] },
  { make: 'Suzuki', models: [m('Jimny'), m('Swift'), m('Vitara')] },
  { make: 'Tesla', models: [m('Model 3'), m('Model Y'), m('Model S')] },
  { make: 'Toyota', models: [m('Corolla', ['LE', 'SE']), m('Camry'), m('RAV4'), m('Yaris'), m('Prius'), m('Hilux'), m('Tacoma')] },
  { make: 'Volkswagen', aliases: ['VW'], models: [m('Golf', ['GTI', 'TDI']), m('Polo'), m('Passat'), m('Tiguan'), m('Jetta')] },
  { make: 'Volvo', models: [m('XC40'), m('XC60'), m('XC90'), m('V60')] },
];
