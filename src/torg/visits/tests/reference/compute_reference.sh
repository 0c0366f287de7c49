#!/usr/bin/env bash
# Recompute the expected totals in reference/*.json from the fixture CSVs, independently
# of Torg: GNU date (with the system tzdata) turns each local start into a Unix time and
# each local day range into [start of first day, start of the day after the last day) in
# the row's own zone; awk filters and sums. Run from this folder:
#   bash compute_reference.sh > expected_totals.json
set -euo pipefail

FIRST=2024-03-25
AFTER_LAST=2024-04-01   # the day after 31 March: the range is 25 to 31 March inclusive

# Prefix every data row with: start epoch, range start epoch, range end epoch (row's zone).
with_epochs() {
  local file=$1 start_column=$2
  tail -n +2 "$file" | while IFS= read -r line; do
    zone=$(echo "$line" | cut -d, -f2)
    start=$(echo "$line" | cut -d, -f"$start_column")
    echo "$(TZ="$zone" date -d "$start" +%s),$(TZ="$zone" date -d "$FIRST 00:00" +%s),$(TZ="$zone" date -d "$AFTER_LAST 00:00" +%s),$line"
  done
}

visits=$(with_epochs visit_counts.csv 4)
events=$(with_epochs events.csv 3)

# Visits columns after the prefix: 4 site, 5 zone, 6 entrance, 7 start, 8 end, 9 count, 10 method.
visit_case() {
  local name=$1 condition=$2
  echo "$visits" | awk -F, -v name="$name" "
    { inrange = (\$1 >= \$2 && \$1 < \$3) }
    $condition { n++; sum += \$9; if (!(\$4 in seen)) { seen[\$4] = 1; sites++ } }
    END { printf \"    \\\"%s\\\": {\\\"counts\\\": %d, \\\"visits\\\": %d, \\\"sites\\\": %d}\", name, n, sum, sites }"
}

# Events columns after the prefix: 4 site, 5 zone, 6 starts, 7 type, 8 audience, 9 digital,
# 10 occurrences, 11 attendance (empty: not recorded).
event_case() {
  local name=$1 condition=$2
  echo "$events" | awk -F, -v name="$name" "
    { inrange = (\$1 >= \$2 && \$1 < \$3) }
    $condition { rows++; events += \$10; if (\$11 == \"\") { without += \$10 } else { with += \$10; attendance += \$11 } }
    END { printf \"    \\\"%s\\\": {\\\"rows\\\": %d, \\\"events\\\": %d, \\\"attendance\\\": %d, \\\"events_with_attendance\\\": %d, \\\"events_without_attendance\\\": %d}\", name, rows, events, attendance, with, without }"
}

cat <<HEAD
{
  "note": "Computed by compute_reference.sh from visit_counts.csv and events.csv with GNU date and awk (not by Torg). The range is 2024-03-25 to 2024-03-31 inclusive, each row judged in its own site's time zone; events without a site in Europe/Oslo.",
  "visits": {
HEAD
visit_case all 1; echo ","
visit_case range inrange; echo ","
visit_case range_site_torget_a 'inrange && $4 == "Torget A"'; echo ","
visit_case range_whole_site 'inrange && $6 == ""'; echo ","
visit_case range_entrance_nord 'inrange && $6 == "Nord"'; echo ","
visit_case range_method_manual 'inrange && $10 == "manual"'; echo
echo '  },'
echo '  "events": {'
event_case all 1; echo ","
event_case range inrange; echo ","
event_case range_digital 'inrange && $9 == "yes"'; echo ","
event_case range_children 'inrange && $8 == "children"'; echo ","
event_case range_site_filial 'inrange && $4 == "Filial"'; echo ","
event_case range_culture 'inrange && $7 == "culture"'; echo
echo '  }'
echo '}'
