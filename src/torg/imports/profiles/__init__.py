"""Import profiles, one module per kind of source. Importing this package registers them."""

from torg.imports.profiles import counter_csv  # noqa: F401
from torg.imports.profiles import nb_2020  # noqa: F401
