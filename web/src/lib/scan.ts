import type { Scan } from '../api/types';

/** How far a scan is, 0–100, or null while nothing has been found yet to measure against. */
export function scanPercent(scan: Scan | null | undefined): number | null {
  if (!scan) return null;
  if (scan.state === 'done' || scan.state === 'failed') return 100;
  const p = scan.progress ?? {};
  const n = (key: string) => (typeof p[key] === 'number' ? (p[key] as number) : 0);
  const found = n('found');
  if (found <= 0) return null;
  return Math.min(100, Math.round(((n('unchanged') + n('parsed') + n('failed')) / found) * 100));
}

export function scanSummary(scan: Scan): string {
  const p = scan.progress ?? {};
  const n = (key: string) => (typeof p[key] === 'number' ? (p[key] as number) : 0);
  const parts = [`${n('found')} files`];
  if (n('added')) parts.push(`${n('added')} added`);
  if (n('updated')) parts.push(`${n('updated')} updated`);
  if (n('removed')) parts.push(`${n('removed')} removed`);
  if (n('failed')) parts.push(`${n('failed')} unreadable`);
  return parts.join(', ');
}
