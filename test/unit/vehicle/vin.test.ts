import { describe, expect, it } from 'vitest';
import { findVins, isValidVin, legacyVin, repairVin, vinCheckDigit, vinEvidence } from '../../../src/vehicle/vin.js';

// Real, check-digit-valid VINs (decoded by vPIC in the integration tests).
const KONA = 'KM8K2CAB4PU001140';
const ACCORD = '1HGCM82633A004352';
const ESCAPE = '1FMCU9J96EUA12345';

describe('vinCheckDigit', () => {
  it.each([
    [KONA, '4'],
    [ACCORD, '3'],
    [ESCAPE, '6'],
    ['11111111111111111', '1'],
    ['1M8GDM9AXKP042788', 'X'],
  ])('%s calls for %s', (vin, digit) => {
    expect(vinCheckDigit(vin)).toBe(digit);
  });

  it('is null for a wrong length or a letter outside the alphabet', () => {
    expect(vinCheckDigit(KONA.slice(1))).toBeNull();
    expect(vinCheckDigit('KM8K2CAB4PUO01140')).toBeNull();
  });

  it.each([
    [KONA, true],
    ['KM8K2CAB5PU001140', false],
    ['KM8K2CAB4PU00114', false],
  ])('isValidVin(%s) is %s', (vin, valid) => {
    expect(isValidVin(vin)).toBe(valid);
  });
});

describe('repairVin', () => {
  it('keeps a reading that checks', () => {
    expect(repairVin(KONA)).toEqual({ vin: KONA, read: KONA, repaired: [] });
  });

  it.each([
    ['letter O for zero', 'KM8K2CAB4PUO01140', KONA, [11]],
    ['several O for zeros', 'KM8K2CAB4PUOO114O', KONA, [11, 12, 16]],
    ['L for one (the PP-OCR confusion)', 'KM8K2CAB4PU00L140', KONA, [13]],
    ['I for one', '1HGCM82633A0O4352'.replace('1HG', 'IHG'), ACCORD, [0, 12]],
  ])('repairs %s', (_name, read, vin, repaired) => {
    expect(repairVin(read)).toEqual({ vin, read, repaired });
  });

  it('does not repair when no confusion makes the check digit hold', () => {
    expect(repairVin('KM8K2CAB4PU001149')).toBeNull();
    // B for 8 is not tried: one look-alike repair among many positions passes by chance too often.
    expect(repairVin('KM8K2CA84PU001140')).toBeNull();
  });

  it('refuses more optional repairs than allowed', () => {
    // Two L-for-1 misreads: needs two optional repairs.
    expect(repairVin('KM8K2CAB4PU00LL40')?.vin).toBe(KONA);
    expect(repairVin('KM8K2CAB4PU00LL40', 1)).toBeNull();
  });

  it('rejects words OCR glued together even when a repair makes the check digit hold', () => {
    // "2017 CHEVROLET CAMARO" read without spaces: its last 17 characters pass the check digit as
    // L7CHEVR01ETCAMAR0, but a serial number ends in digits.
    expect(repairVin('17CHEVROLETCAMARO')).toBeNull();
    expect(findVins('2017CHEVROLETCAMARO')).toEqual([]);
  });

  it('rejects a model year of U, Z or 0', () => {
    // Same check digit sum, position 10 replaced: only the structure rule tells them apart.
    expect(isValidVin(KONA)).toBe(true);
    const zeroYear = 'KM8K2CAB40U001140';
    expect(vinCheckDigit(zeroYear) === zeroYear[8] ? isValidVin(zeroYear) : false).toBe(false);
  });

  it('rejects a wrong length', () => {
    expect(repairVin('KM8K2CAB4PU00114')).toBeNull();
  });
});

describe('findVins', () => {
  it.each([
    ['VIN: KM8K2CAB4PU001140', [KONA]],
    ['*KM8K2CAB4PU001140*', [KONA]],
    ['KM8K 2CAB4 PU00 1140', [KONA]],
    ['km8k2cab4pu001140', [KONA]],
    ['VEHICLE IDENTIFICATION NUMBER', []],
    ['MILEAGE 23,456 mi  PRICE $18,995', []],
    [`${KONA} / ${ESCAPE}`, [KONA, ESCAPE]],
  ])('%j -> %j', (text, vins) => {
    expect(findVins(text).map((c) => c.vin)).toEqual(vins);
  });

  it('finds a VIN glued to a prefix read as part of it', () => {
    expect(findVins(`VIN${KONA}`).map((c) => c.vin)).toEqual([KONA]);
  });
});

describe('vinEvidence', () => {
  it('gives one vin-sourced, fully confident item per known attribute', () => {
    const evidence = vinEvidence({ vin: KONA, make: 'Hyundai', model: 'Kona', year: 2023, trim: 'SE', bodyType: 'SUV', engine: null, fuel: 'Gasoline', drive: null });
    expect(evidence.map((e) => [e.attribute, e.value])).toEqual([
      ['vin', KONA], ['make', 'Hyundai'], ['model', 'Kona'], ['year', 2023], ['trim', 'SE'], ['bodyType', 'SUV'], ['fuel', 'Gasoline'],
    ]);
    expect(evidence.every((e) => e.source === 'vin' && e.confidence === 1)).toBe(true);
  });
});

describe('VINs without a check digit (most European VINs)', () => {
  const GOLF = 'WVWZZZ1KZ8W123456'; // a VW Golf's VIN: Z fillers where the check digit would be
  const knownWmi = (wmi: string) => ['WVW', 'WF0'].includes(wmi);

  it('are rejected without known WMIs, as before', () => {
    expect(findVins(GOLF)).toEqual([]);
  });

  it('are accepted, marked unchecked, when the WMI is known and the serial ends in digits', () => {
    expect(findVins(`VIN: ${GOLF}`, { knownWmi })).toEqual([{ vin: GOLF, read: GOLF, repaired: [], checked: false }]);
    // I, O and Q are never VIN characters: always the digit they look like.
    expect(findVins('WVWZZZ1KZ8W12345O', { knownWmi })).toEqual([{ vin: GOLF.slice(0, 16) + '0', read: 'WVWZZZ1KZ8W12345O', repaired: [16], checked: false }]);
  });

  it.each([
    ['an unknown WMI', 'XXXZZZ1KZ8W123456'],
    ['a serial number that does not end in digits', 'WVWZZZ1KZ8W1234AB'],
    ['a character outside the alphabet that is no digit look-alike', 'WVWZZZ1KZ8W12#456'],
  ])('are rejected with %s', (_name, read) => {
    expect(findVins(read, { knownWmi })).toEqual([]);
  });

  it('leave VINs whose check digit holds as they were: checked, repaired as before', () => {
    expect(findVins(KONA, { knownWmi })).toEqual([{ vin: KONA, read: KONA, repaired: [] }]);
    expect(findVins('KM8K2CAB4PU00L140', { knownWmi })[0]).toMatchObject({ vin: KONA, repaired: [13] });
  });
});

describe('legacyVin (before 1981)', () => {
  it.each([
    ['1Q87K9N100001', '1Q87K9N100001'], // GM, 13 characters
    ['RM23G0G 100001', 'RM23G0G100001'], // Chrysler, grouped
    ['2F02H-100001', '2F02H100001'], // Ford, 11 characters
    ['1122334455', '1122334455'], // Volkswagen, digits only
  ])('%s is %s', (read, vin) => {
    expect(legacyVin(read)).toMatchObject({ vin, checked: false, legacy: true });
  });

  it.each(['12345', '1HGCM82633A004352', 'FORD ESCAPE', 'ABCDEFG12', '0000000000', 'ABCDE123456'])('%s is none', (read) => {
    expect(legacyVin(read)).toBeNull();
  });
});
