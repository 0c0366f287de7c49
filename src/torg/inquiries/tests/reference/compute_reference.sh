#!/usr/bin/env bash
# Recompute expected_totals.json from inquiries.csv, independently of Torg: GNU date (system
# tzdata) turns each local time and the local day range 2024-03-25..2024-03-31 into Unix
# times in the row's own zone; awk filters, counts and sums. Averages are printed with one
# decimal by awk's printf. Run from this folder:
#   bash compute_reference.sh > expected_totals.json
set -euo pipefail

FIRST=2024-03-25
AFTER_LAST=2024-04-01

rows=$(tail -n +2 inquiries.csv | while IFS= read -r line; do
  zone=$(echo "$line" | cut -d, -f2)
  when=$(echo "$line" | cut -d, -f3)
  echo "$(TZ="$zone" date -d "$when" +%s),$(TZ="$zone" date -d "$FIRST 00:00" +%s),$(TZ="$zone" date -d "$AFTER_LAST 00:00" +%s),$line"
done)

# Columns after the prefix: 4 site, 5 zone, 6 occurred, 7 time known, 8 channel, 9 service,
# 10 domain, 11 outcome, 12 read effort (empty: none).
case_totals() {
  local name=$1 condition=$2
  echo "$rows" | awk -F, -v name="$name" "
    { inrange = (\$1 >= \$2 && \$1 < \$3) }
    $condition { n++; if (\$12 != \"\") { k++; s += \$12 } }
    END {
      avg = (k > 0) ? sprintf(\"\\\"%.1f\\\"\", s / k) : \"null\"
      printf \"    \\\"%s\\\": {\\\"inquiries\\\": %d, \\\"inquiries_with_effort\\\": %d, \\\"read_effort_sum\\\": %d, \\\"average_read_effort\\\": %s}\", name, n, k, s, avg
    }"
}

echo '{'
echo '  "note": "Computed by compute_reference.sh from inquiries.csv with GNU date and awk (not by Torg); range 2024-03-25 to 2024-03-31 inclusive in each site'"'"'s own time zone. Averages: awk printf %.1f of sum/count.",'
echo '  "inquiries": {'
case_totals all 1; echo ","
case_totals range inrange; echo ","
case_totals range_municipal 'inrange && $10 == "municipal"'; echo ","
case_totals range_in_person 'inrange && $8 == "in_person"'; echo ","
case_totals range_resolved 'inrange && $11 == "resolved"'; echo ","
case_totals range_lending 'inrange && $9 == "lending"'; echo ","
case_totals range_site_toronto 'inrange && $4 == "Toronto Branch"'; echo
echo '  }'
echo '}'
