/**
 * Longest-common-subsequence kernels over interned token ids (Int32Array views). Memory: the LCS
 * length uses two rows of the shorter side; the union LCS of rougeLsum keeps one full table per
 * sentence pair (rows × columns int32), which is what its backtracking needs.
 */

/** Reusable typed-array scratch space, grown on demand and never shrunk. */
export class LcsScratch {
  private rowA = new Int32Array(64);
  private rowB = new Int32Array(64);
  private table = new Int32Array(1024);

  /** Two rows of at least `length` cells. */
  rows(length: number): [Int32Array, Int32Array] {
    if (this.rowA.length < length) {
      const size = Math.max(length, this.rowA.length * 2);
      this.rowA = new Int32Array(size);
      this.rowB = new Int32Array(size);
    }
    return [this.rowA, this.rowB];
  }

  /** A table of at least `cells` cells (contents undefined). */
  cells(cells: number): Int32Array {
    if (this.table.length < cells) this.table = new Int32Array(Math.max(cells, this.table.length * 2));
    return this.table;
  }
}

/** Length of the LCS of `a` and `b`, in O(|a|·|b|) time and O(min(|a|,|b|)) memory. */
export function lcsLength(a: Int32Array, b: Int32Array, scratch: LcsScratch): number {
  // Columns over the shorter side keeps the rows small.
  const rowsSide = a.length >= b.length ? a : b;
  const colsSide = a.length >= b.length ? b : a;
  const cols = colsSide.length;
  if (cols === 0) return 0;
  let [prev, cur] = scratch.rows(cols + 1);
  prev.fill(0, 0, cols + 1);
  cur[0] = 0;
  for (let i = 0; i < rowsSide.length; i += 1) {
    const token = rowsSide[i];
    let left = 0;
    for (let j = 1; j <= cols; j += 1) {
      let value: number;
      if (colsSide[j - 1] === token) {
        value = prev[j - 1] + 1;
      } else {
        const up = prev[j];
        value = up > left ? up : left;
      }
      cur[j] = value;
      left = value;
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  return prev[cols];
}

/**
 * Marks in `marks` (indexed like `ref`) the reference positions of one LCS of `ref` and `pred`,
 * chosen as `rouge-score` chooses it: from the bottom-right corner, take matches diagonally;
 * otherwise step left (drop the prediction token) only when the cell to the left is strictly
 * greater than the cell above, else step up. Another tie rule gives other unions and other scores.
 */
export function markLcsPositions(ref: Int32Array, pred: Int32Array, marks: Uint8Array, scratch: LcsScratch): void {
  const rows = ref.length;
  const cols = pred.length;
  if (rows === 0 || cols === 0) return;
  const width = cols + 1;
  const table = scratch.cells((rows + 1) * width);
  table.fill(0, 0, width);
  for (let i = 1; i <= rows; i += 1) {
    const token = ref[i - 1];
    const base = i * width;
    const above = base - width;
    table[base] = 0;
    for (let j = 1; j <= cols; j += 1) {
      if (pred[j - 1] === token) {
        table[base + j] = table[above + j - 1] + 1;
      } else {
        const up = table[above + j];
        const left = table[base + j - 1];
        table[base + j] = up > left ? up : left;
      }
    }
  }
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === pred[j - 1]) {
      marks[i - 1] = 1;
      i -= 1;
      j -= 1;
    } else if (table[i * width + j - 1] > table[(i - 1) * width + j]) {
      j -= 1;
    } else {
      i -= 1;
    }
  }
}
