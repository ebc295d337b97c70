import { gridDisk, latLngToCell } from 'h3-js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type StudyArea, studyArea } from '#domain/mining/hotspots.ts';

/**
 * How studyArea finds neighbourhoods (functions/domain/mining/hotspots.ts): by integer arithmetic on
 * local IJ coordinates for a city, checked against gridDisk on a sample of 32 occupied cells; one
 * gridDisk per cell only where local IJ coordinates do not hold or the grid would be too large.
 * gridDisk is watched to tell the two ways apart: both must return the same area.
 */
vi.mock('h3-js', async (importOriginal) => {
  const h3 = await importOriginal<typeof import('h3-js')>();
  return { ...h3, gridDisk: vi.fn(h3.gridDisk) };
});

const watched = vi.mocked(gridDisk);
/** 天安门 (Tiananmen). */
const centre = latLngToCell(39.9087, 116.3975, 9);
/** 悉尼 (Sydney): no local IJ coordinates from Beijing. */
const sydney = latLngToCell(-33.8568, 151.2153, 9);
/** In Xinjiang: local IJ coordinates from Beijing exist, but the grid between would hold 55 M cells. */
const xinjiang = latLngToCell(40, 87.5, 9);

const diskUnion = (centres: readonly string[], rings: number) =>
  new Set(centres.flatMap((c) => gridDisk(c, rings)));

/** The area holds exactly `cells`, and each one's neighbourhood is its gridDisk within them. */
const expectGridDiskArea = (area: StudyArea, cells: ReadonlySet<string>, rings: number) => {
  expect(area.size).toBe(cells.size);
  for (const cell of cells) {
    const i = area.indexOf(cell) ?? -1;
    expect(area.cellAt(i)).toBe(cell);
    const mine = Array.from(area.neighbours.subarray(area.offsets[i], area.offsets[i + 1]), (k) =>
      area.cellAt(k),
    );
    expect(new Set(mine)).toEqual(new Set(gridDisk(cell, rings).filter((c) => cells.has(c))));
  }
};

/** The cells gridDisk was asked about with `rings` rings, in call order. */
const asked = (rings: number) => watched.mock.calls.filter(([, k]) => k === rings).map(([c]) => c);

describe('studyArea', () => {
  beforeEach(() => {
    watched.mockClear();
  });

  it('returns a city of 91 cells grown by 2 rings from arithmetic, gridDisk checking the first 32 only', () => {
    // Prepare: the occupied cells in no particular order
    const occupied = gridDisk(centre, 5).reverse();
    const sorted = [...occupied].sort();
    watched.mockClear();

    // Act
    const area = studyArea(occupied, 2, 2);

    // Assess
    expect(watched.mock.calls).toEqual(sorted.slice(0, 32).map((c) => [c, 2]));
    expectGridDiskArea(area, diskUnion(occupied, 2), 2);
  });

  it('returns a city of 7 cells from arithmetic, gridDisk checking each occupied cell once', () => {
    // Prepare
    const occupied = gridDisk(centre, 1);
    watched.mockClear();

    // Act
    const area = studyArea(occupied, 1, 1);

    // Assess
    expect(watched.mock.calls).toEqual([...occupied].sort().map((c) => [c, 1]));
    expectGridDiskArea(area, diskUnion(occupied, 1), 1);
  });

  it('returns cells on two continents from one gridDisk per cell', () => {
    // Prepare
    const occupied = [...gridDisk(centre, 1), ...gridDisk(sydney, 1)];
    const cells = diskUnion(occupied, 1);
    watched.mockClear();

    // Act
    const area = studyArea(occupied, 2, 1);

    // Assess
    expect(new Set(asked(2))).toEqual(cells);
    expectGridDiskArea(area, cells, 2);
  });

  it('returns cells 2 500 km apart from one gridDisk per cell rather than a grid of 55 M cells', () => {
    // Prepare
    const occupied = [centre, xinjiang];
    const cells = diskUnion(occupied, 1);
    watched.mockClear();

    // Act
    const area = studyArea(occupied, 2, 1);

    // Assess
    expect(new Set(asked(2))).toEqual(cells);
    expect(asked(2)).toHaveLength(cells.size);
    expectGridDiskArea(area, cells, 2);
  });
});
