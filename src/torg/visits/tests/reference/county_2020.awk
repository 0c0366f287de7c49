# County groups for visits/national.py (the comparison's "county" column), computed with
# GNU awk from the raw CSV, independently of Torg. Run from this folder:
#   gawk -v SUBJECT=3005 -f county_2020.awk ../../../demo/data/norway-nb-2020/folkebibl-2020-kommuner.csv
# Columns: 2 Fylkesnr. ("30.0"), 3 Kommunenr., 7 population, 8 visits, 41 events,
# 42 attendance. The county of SUBJECT, SUBJECT included; an empty cell is missing.
# Prints: key included left_out numerator_total population_total ratio_of_totals
BEGIN { FPAT = "([^,]*)|(\"[^\"]*\")"; record = "" }
function clean(v) { gsub(/"/, "", v); gsub(/[ \t\r]/, "", v); return v }
function quotes(s,   t) { t = s; return gsub(/"/, "", t) }
{
  record = record == "" ? $0 : record "\n" $0
  if (quotes(record) % 2) next
  $0 = record; record = ""
  if (++line == 1) next
  n++
  county[n] = clean($2); number[n] = clean($3); sub(/\.0$/, "", number[n])
  pop[n] = clean($7); fig["visits", n] = clean($8); fig["events", n] = clean($41)
  fig["attendance", n] = clean($42)
  if (number[n] == SUBJECT) subject = n
}
END {
  split("visits events attendance", keys, " ")
  for (k = 1; k <= 3; k++) {
    key = keys[k]; scale = (key == "visits") ? 1 : 1000
    inc = out = sn = sp = 0
    for (i = 1; i <= n; i++) {
      if (county[i] != county[subject]) continue
      if (fig[key, i] == "" || pop[i] == "" || pop[i] == 0) { out++; continue }
      inc++; sn += fig[key, i]; sp += pop[i]
    }
    printf "%s %d %d %d %d %.12g\n", key, inc, out, sn, sp, scale * sn / sp
  }
}
