# Independent reference figures for visits/national.py, computed with GNU awk straight
# from the raw CSV (no Python, no Django). Run:
#   gawk -v SUBJECTS=3005,301,5432 -f national_2020.awk \
#     ../../../../../../shared/data/national-library-statistics/norway-nb-2020/folkebibl-2020-kommuner.csv
# Columns (1-based): 3 Kommunenr. ("3005.0"), 4 Kommune, 7 Totalt per 1.1.2020,
# 8 Besøk totalt, 41 Alle typer arrangement totalt, 42 Alle typer arrangement fremmøtte.
# Numbers are written "307 528 " (space as thousands separator); an empty cell is missing.
# Similar population: 4*p >= 3*P and 4*p <= 5*P (75-125 %), the subject itself excluded.
# Medians: sort the ratios with sort -g and take the middle one (mean of the two middle).
BEGIN { FPAT = "([^,]*)|(\"[^\"]*\")"; record = ""; n = 0 }
function clean(v) { gsub(/"/, "", v); gsub(/[ \t\r]/, "", v); return v }
function quotes(s,   t) { t = s; return gsub(/"/, "", t) }
{
  record = record == "" ? $0 : record "\n" $0
  if (quotes(record) % 2) next
  $0 = record; record = ""
  if (++line == 1) next
  n++
  num[n] = clean($3); sub(/\.0$/, "", num[n])
  name[n] = $4; gsub(/"/, "", name[n])
  pop[n] = clean($7); fig["visits", n] = clean($8)
  fig["events", n] = clean($41); fig["attendance", n] = clean($42)
}
function median(list,   cmd, k, arr, m) {
  if (list == "") return "null"
  cmd = "printf '%s' \"" list "\" | tr ' ' '\\n' | sort -g"
  m = 0
  while ((cmd | getline v) > 0) arr[++m] = v
  close(cmd)
  if (m % 2) return sprintf("%.12g", arr[(m + 1) / 2])
  return sprintf("%.12g", (arr[m / 2] + arr[m / 2 + 1]) / 2)
}
function group(kind, subject, key, first,   i, scale, inc, out, sn, sp, list, P) {
  scale = (key == "visits") ? 1 : 1000
  P = (subject ? pop[subject] : 0)
  inc = out = sn = sp = 0; list = ""
  for (i = 1; i <= n; i++) {
    if (kind == "peers" && (i == subject || 4 * pop[i] < 3 * P || 4 * pop[i] > 5 * P)) continue
    if (fig[key, i] == "" || pop[i] == "" || pop[i] == 0) { out++; continue }
    inc++; sn += fig[key, i]; sp += pop[i]
    list = list (list == "" ? "" : " ") sprintf("%.15g", scale * fig[key, i] / pop[i])
  }
  printf "%s\"%s\": {\"included\": %d, \"left_out\": %d, \"numerator_total\": %d, \"population_total\": %d, \"ratio_of_totals\": %s, \"median\": %s}", first ? "" : ", ", key, inc, out, sn, sp, (sp ? sprintf("%.12g", scale * sn / sp) : "null"), median(list)
}
function value(i, key,   scale) {
  scale = (key == "visits") ? 1 : 1000
  return (fig[key, i] == "" || pop[i] == "") ? "null" : sprintf("%.12g", scale * fig[key, i] / pop[i])
}
END {
  printf "{\n  \"municipalities\": %d,\n  \"country\": {", n
  group("country", 0, "visits", 1); group("country", 0, "events", 0); group("country", 0, "attendance", 0)
  printf "},\n  \"subjects\": {"
  split(SUBJECTS, wanted, ",")
  for (w = 1; w in wanted; w++) {
    for (i = 1; i <= n; i++) if (num[i] == wanted[w]) s = i
    peers = 0
    for (i = 1; i <= n; i++) if (i != s && 4 * pop[i] >= 3 * pop[s] && 4 * pop[i] <= 5 * pop[s]) peers++
    printf "%s\n    \"%s\": {\"name\": \"%s\", \"population\": %d, \"band_low\": %d, \"band_high\": %d, \"peers\": %d,\n      \"value\": {\"visits\": %s, \"events\": %s, \"attendance\": %s},\n      \"peers_statistics\": {", (w > 1 ? "," : ""), wanted[w], name[s], pop[s], int((3 * pop[s] + 3) / 4), int(5 * pop[s] / 4), peers, value(s, "visits"), value(s, "events"), value(s, "attendance")
    group("peers", s, "visits", 1); group("peers", s, "events", 0); group("peers", s, "attendance", 0)
    printf "}}"
  }
  printf "\n  }\n}\n"
}
