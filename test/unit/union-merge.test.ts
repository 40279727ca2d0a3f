import { describe, expect, it } from 'vitest';
import { regionsShortOfPage } from '../../src/members/members.repo';

// The union's member list merges the first rows of each region, and reads a region's whole page only where
// those may not be enough: its last given row comes before the page's last row.
const merged = (regions: number[]) => regions.map((regionOf) => ({ regionOf }));

describe('the regions short of the union page', () => {
  it('are those whose every given row lies before the page’s last row', () => {
    // page of 4 rows; each region gave up to 2: region 1 both before the last row, region 2 one (all it has)
    expect(regionsShortOfPage(merged([1, 2, 1, 3]), 2, 4)).toEqual([1]);
  });

  it('leave out a region whose last given row is the page’s last or beyond it', () => {
    expect(regionsShortOfPage(merged([1, 3, 2, 1]), 2, 4)).toEqual([]);
    expect(regionsShortOfPage(merged([1, 3, 2, 3]), 2, 4)).toEqual([]);
  });

  it('find every region when the page is not full (each may hold more than it gave)', () => {
    expect(regionsShortOfPage(merged([1, 2, 1, 2]), 2, 51)).toEqual([1, 2]);
  });
});
