// Exact credits for the price table, computed like the server's PriceCalculator: BigInt arithmetic on the decimal
// strings of the API, never floating point.
// credits per unit = ceil(usd_price x factor x exchange_rate x credits_per_cny), factor = the default resolution's.

/** "0.025" -> {n: 25n, d: 1000n} */
export function parseDecimal(text) {
  const s = String(text).trim();
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) throw new Error('not a decimal: ' + text);
  const frac = m[3] || '';
  const n = BigInt((m[2] || '0') + frac) * (m[1] ? -1n : 1n);
  return { n, d: 10n ** BigInt(frac.length) };
}

/** "4/3" or "1" -> {n, d} */
export function parseFraction(text) {
  const [a, b] = String(text).trim().split('/');
  const top = parseDecimal(a);
  const bottom = b === undefined ? { n: 1n, d: 1n } : parseDecimal(b);
  return { n: top.n * bottom.d, d: top.d * bottom.n };
}

/** The factor of the default resolution from "360p=1,540p=1,720p=4/3,1080p=8/3@5" (1 without resolutions). */
export function defaultFactor(model) {
  if (!model.resolution_factors || !model.default_resolution) return { n: 1n, d: 1n };
  for (const part of model.resolution_factors.split(',')) {
    const [name, rest] = part.split('=');
    if (name && name.trim() === model.default_resolution && rest) return parseFraction(rest.split('@')[0]);
  }
  return { n: 1n, d: 1n };
}

/** @return credits for one unit as a BigInt, or null for an unpriced model */
export function creditsPerUnit(model, rates) {
  if (model.usd_price === null || model.usd_price === undefined || model.usd_price === '') return null;
  const parts = [parseDecimal(model.usd_price), defaultFactor(model),
    parseDecimal(rates.exchange_rate), parseDecimal(rates.credits_per_cny)];
  let n = 1n;
  let d = 1n;
  for (const p of parts) { n *= p.n; d *= p.d; }
  if (d < 0n) { n = -n; d = -d; }
  // ceiling division for the (never negative) price
  return n <= 0n ? n / d : (n + d - 1n) / d;
}

export function formatCredits(big) {
  if (big === null) return 'unpriced';
  return big.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The unit a price buys, in words. */
export function unitLabel(model) {
  switch (model.unit) {
    case 'image': return 'per image';
    case 'megapixel': return 'per megapixel (rounded up per image)';
    case 'second': return 'per second';
    case 'clip': return `per ${model.clip_seconds || '?'} s clip` + (model.default_resolution ? ` at ${model.default_resolution}` : '');
    default: return model.unit;
  }
}

/** A positive decimal with at most `scale` decimals, as the API accepts it. */
export function isPositiveDecimal(text, scale) {
  const s = String(text).trim();
  if (!new RegExp(`^\\d+(\\.\\d{1,${scale}})?$`).test(s)) return false;
  return parseDecimal(s).n > 0n;
}
