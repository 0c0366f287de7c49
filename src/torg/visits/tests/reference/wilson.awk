# Wilson 95 % score intervals and library figures for tests/test_attribution.py, computed
# independently of Torg's Python (awk's own sqrt; z = 1.959963984540054).
# Input lines: library other door_visits. Output: share low high library band_low band_high.
# Run: awk -f wilson.awk wilson_cases.txt > wilson_expected.txt
function floor(x) { return (x == int(x) || x >= 0) ? int(x) : int(x) - 1 }
function ceil(x) { return (x == int(x)) ? x : ((x > 0) ? int(x) + 1 : int(x)) }
BEGIN { z = 1.959963984540054 }
/^#/ { next }
{
  l = $1; o = $2; door = $3; n = l + o; p = l / n
  d = 1 + z * z / n
  c = (p + z * z / (2 * n)) / d
  h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
  lo = c - h; if (lo < 0) lo = 0
  hi = c + h; if (hi > 1) hi = 1
  point = int(p * door + 0.5)
  blo = floor(lo * door + 1e-9); if (blo > point) blo = point
  bhi = ceil(hi * door - 1e-9); if (bhi < point) bhi = point
  printf "%d %d %d %.10f %.10f %.10f %d %d %d\n", l, o, door, p, lo, hi, point, blo, bhi
}
