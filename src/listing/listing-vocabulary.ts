/**
 * The words listing text is checked against (pure data, maintained here and nowhere else).
 *
 * - Price and financing talk never belongs in a draft: the price is the seller's to set.
 * - Marketing lingo says nothing a buyer can check.
 * - Claim words name something about the car (a feature, a trim, a make, a colour, a condition);
 *   each may appear in listing text only when the car's facts say the same thing.
 *
 * Matching is by whole words, case-insensitive, except for phrases with a capital letter (trims such as
 * "LE", "EX" or "Limited", codes such as "APR"): those match only as written, so "le", "ex" or
 * "limited" in prose do not. Add phrases in lower case unless case tells them apart.
 */

/** Money, prices and financing. A currency sign or code next to a number is caught separately. */
export const PRICE_PHRASES: readonly string[] = [
  'price', 'prices', 'priced', 'pricing', 'cost', 'costs', 'msrp', 'cheap', 'cheapest', 'affordable', 'bargain',
  'discount', 'discounted', 'financing', 'finance', 'financed', 'APR', 'interest rate', 'down payment',
  'deposit', 'per month', 'a month', 'monthly', 'payment', 'payments', '/mo', 'lease', 'leasing', 'loan',
  'credit', 'OBO', 'or best offer', 'best offer', 'trade-in', 'trade in', 'dollars', 'euros', 'pounds', 'cash',
  'no money down', 'zero down', '0 down', 'rebate',
];

/** Marketing lingo and pressure. Keep sorted by theme; every phrase is a whole-word match. */
export const MARKETING_PHRASES: readonly string[] = [
  // urgency
  "won't last long", 'wont last long', "won't last", 'wont last', 'must see', 'must-see', 'act fast', 'act now',
  'hurry', "don't miss", 'dont miss', 'call now', 'call today', 'today only', 'limited time', 'first come',
  'going fast', 'selling fast',
  // deals
  'best deal', 'great deal', 'good deal', 'priced to sell', 'a steal', 'steal of a deal', 'unbeatable',
  'best value', 'great value', 'value for money',
  // superlatives and gushing
  'like new', 'as new', 'brand new condition', 'mint', 'mint condition', 'showroom condition', 'immaculate',
  'pristine', 'flawless', 'perfect', 'perfect condition', 'stunning', 'gorgeous', 'beautiful', 'amazing',
  'incredible', 'fantastic', 'awesome', 'spectacular', 'one of a kind', 'once in a lifetime', 'dream car',
  'head-turner', 'head turner', 'turns heads', 'fully loaded', 'loaded', 'runs great', 'drives great',
  'runs and drives great', 'a must', 'look no further', "you won't be disappointed", 'wow',
];

export type ClaimKind = 'feature' | 'condition' | 'trim' | 'make' | 'colour' | 'body' | 'fuel' | 'drive';

/** One thing a text can claim, in the ways it may be written; any of them in the facts supports it. */
export interface ClaimGroup {
  kind: ClaimKind;
  phrases: readonly string[];
}

const groups = (kind: ClaimKind, list: readonly (readonly string[])[]): ClaimGroup[] => list.map((phrases) => ({ kind, phrases }));

export const CLAIM_GROUPS: readonly ClaimGroup[] = [
  ...groups('feature', [
    ['sunroof', 'sun roof', 'moonroof', 'moon roof', 'panoramic roof', 'panoramic'],
    ['leather', 'leather seats', 'leather interior'],
    ['navigation', 'nav', 'sat nav', 'satnav', 'gps'],
    ['heated seats', 'heated seat', 'heated front seats'],
    ['cooled seats', 'ventilated seats'],
    ['heated steering wheel'],
    ['backup camera', 'back-up camera', 'reversing camera', 'rear camera', 'rearview camera', 'rear-view camera'],
    ['parking sensors', 'park assist', 'parking assist'],
    ['bluetooth'],
    ['apple carplay', 'carplay'],
    ['android auto'],
    ['cruise control', 'adaptive cruise'],
    ['keyless', 'keyless entry', 'push-button start', 'push button start', 'remote start'],
    ['alloy wheels', 'alloys', 'alloy'],
    ['tow hitch', 'towbar', 'tow bar', 'towing package', 'tow package', 'hitch'],
    ['third row', '3rd row', 'seven seats', '7 seats', '7-seater', 'seven-seater'],
    ['blind spot', 'blind-spot', 'blind spot monitoring'],
    ['lane assist', 'lane keeping', 'lane departure'],
    ['premium sound', 'premium audio', 'bose', 'harman kardon', 'jbl'],
    ['climate control', 'dual-zone', 'dual zone'],
    ['air conditioning', 'a/c', 'AC'],
    ['roof rails', 'roof rack'],
    ['xenon', 'led headlights', 'led lights'],
    ['turbo', 'turbocharged'],
    ['manual', 'manual transmission', 'stick shift'],
    ['automatic', 'automatic transmission'],
    ['tinted windows', 'tint'],
    ['running boards'],
    ['bed liner', 'bedliner'],
  ]),
  ...groups('condition', [
    ['one owner', 'one-owner', 'single owner', '1 owner', '1-owner'],
    ['accident free', 'accident-free', 'no accidents', 'never been in an accident'],
    ['clean title', 'clean carfax', 'carfax'],
    ['service history', 'full service history', 'serviced', 'maintenance records', 'dealer maintained'],
    ['warranty', 'under warranty'],
    ['low mileage', 'low miles', 'low kilometres', 'low km'],
    ['garage kept', 'garaged'],
    ['non-smoker', 'non smoker', 'smoke-free', 'smoke free'],
    ['certified', 'certified pre-owned', 'CPO'],
    ['new tires', 'new tyres', 'new brakes', 'new battery'],
    ['inspected', 'mot', 'safety checked'],
  ]),
  ...groups('trim', [
    ['LX'], ['EX'], ['EX-L'], ['SE'], ['LE'], ['XLE'], ['XSE'], ['SR5'], ['TRD'], ['GT'], ['GTI'], ['RS'], ['ST'], ['SV'], ['SL'],
    ['SXT'], ['SLT'], ['LT'], ['LTZ'], ['XLT'], ['Lariat'], ['Limited'], ['Platinum'], ['Titanium'], ['Touring'],
    ['Sport'], ['Premium'], ['Luxury'], ['Denali'], ['Laredo'], ['Sahara'], ['Rubicon'], ['Trailhawk'], ['Overland'],
    ['Hybrid Limited'], ['M Sport'], ['AMG'], ['S line', 'S-Line'], ['R-Line'], ['Titanium X'],
  ]),
  ...groups('make', [
    ['acura'], ['alfa romeo'], ['aston martin'], ['audi'], ['bentley'], ['bmw'], ['buick'], ['cadillac'], ['chevrolet', 'chevy'],
    ['chrysler'], ['citroen', 'citroën'], ['dacia'], ['dodge'], ['ferrari'], ['fiat'], ['ford'], ['genesis'], ['gmc'],
    ['honda'], ['hyundai'], ['infiniti'], ['jaguar'], ['jeep'], ['kia'], ['lamborghini'], ['land rover', 'range rover'],
    ['lexus'], ['lincoln'], ['maserati'], ['mazda'], ['mercedes', 'mercedes-benz', 'benz'], ['MINI'], ['mitsubishi'],
    ['nissan'], ['opel'], ['peugeot'], ['polestar'], ['porsche'], ['ram'], ['renault'], ['rivian'], ['SEAT'], ['skoda', 'škoda'],
    ['subaru'], ['suzuki'], ['tesla'], ['toyota'], ['vauxhall'], ['volkswagen', 'vw'], ['volvo'],
  ]),
  ...groups('colour', [
    ['white'], ['silver'], ['grey', 'gray'], ['black'], ['red', 'maroon', 'burgundy'], ['orange'], ['yellow'], ['green'],
    ['blue', 'navy'], ['purple'], ['brown', 'bronze'], ['beige', 'tan', 'champagne'], ['gold'],
  ]),
  ...groups('body', [
    ['sedan', 'saloon'], ['suv', 'sport utility', 'crossover'], ['hatchback'], ['coupe', 'coupé'],
    ['convertible', 'cabriolet', 'roadster'], ['wagon', 'estate'], ['pickup', 'pick-up', 'truck'], ['van', 'minivan'],
  ]),
  ...groups('fuel', [
    ['diesel', 'tdi'], ['hybrid', 'plug-in', 'phev'], ['electric', 'ev', 'battery electric'], ['petrol', 'gasoline', 'gas'],
  ]),
  ...groups('drive', [
    ['awd', 'all-wheel drive', 'all wheel drive'], ['4wd', '4x4', 'four-wheel drive', 'four wheel drive'],
    ['fwd', 'front-wheel drive', 'front wheel drive'], ['rwd', 'rear-wheel drive', 'rear wheel drive'],
  ]),
];

/** Number words a text might use instead of digits; each must match a number in the facts. */
export const NUMBER_WORDS: Readonly<Record<string, number>> = {
  two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, dozen: 12,
  fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, hundred: 100, thousand: 1000,
};
