# Reference figures for the tulsa-head-counts profile, computed with awk straight from the
# raw CSV (no Python): the first row of each Date+Time is kept, later ones are repeats.
# Run from the repository root:
#   for f in "SEC Archive" "Metro Archive"; do
#     awk -F, -f src/torg/imports/tests/reference/tulsa_head_counts.awk \
#       "../shared/data/library-visits/tulsa-cc-patron-counts/$f.csv"; done
# Prints JSON-ish lines: file, rows, sweeps kept, repeats, repeats with other figures,
# Total != sum of areas (kept rows), people per area and in all, sweeps per year.
NR == 1 {
  for (i = 1; i <= NF; i++) {
    col[$i] = i
    if ($i != "Semester" && $i != "Date" && $i != "DayOfWeek" && $i != "Time" && $i != "Total" && $i != "timestamp") area[++areas] = $i
  }
  next
}
{
  rows++
  key = $col["Date"] " " $col["Time"]
  figures = ""
  for (a = 1; a <= areas; a++) figures = figures "," $col[area[a]]
  if (key in first) { repeats++; if (first[key] != figures) differing++; next }
  first[key] = figures
  kept++
  sum = 0
  for (a = 1; a <= areas; a++) { people[area[a]] += $col[area[a]]; sum += $col[area[a]] }
  if (sum != $col["Total"]) mismatches++
  all += sum
  split($col["Date"], d, "/"); per_year[d[3]] += sum
}
END {
  printf "{\"file\": \"%s\", \"rows\": %d, \"sweeps\": %d, \"repeats\": %d, \"repeats_differing\": %d, \"total_mismatches\": %d, \"people\": %d, \"by_area\": {", FILENAME, rows, kept, repeats, differing, mismatches, all
  for (a = 1; a <= areas; a++) printf "%s\"%s\": %d", (a > 1 ? ", " : ""), area[a], people[area[a]]
  printf "}, \"by_year\": {"
  n = 0
  for (y in per_year) printf "%s\"%s\": %d", (n++ ? ", " : ""), y, per_year[y]
  print "}}"
}
