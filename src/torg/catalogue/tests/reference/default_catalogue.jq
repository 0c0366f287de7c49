# Reference figures for tests/test_defaults.py and test_services.py, computed from the raw
# data file by jq rather than by torg.catalogue.defaults. Regenerate after a deliberate
# change to the data file:
#   jq -f src/torg/catalogue/tests/reference/default_catalogue.jq \
#      src/torg/catalogue/data/default_catalogue.json > src/torg/catalogue/tests/reference/default_catalogue.json
{
  _how: "jq -f tests/reference/default_catalogue.jq data/default_catalogue.json (jq 1.6); see that file.",
  services: (.services | length),
  categories: (.categories | length),
  by_domain: (.services | group_by(.domain) | map({(.[0].domain): length}) | add),
  by_level: (.services | group_by(.level) | map({(.[0].level): length}) | add),
  by_category: (.services | group_by(.category) | map({(.[0].category): length}) | add),
  synonym_count: ([.services[] | (.synonyms_nb + .synonyms_en) | unique | length] | add)
}
