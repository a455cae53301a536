"""``python -m course``: build, check, grade, verify, table (``python -m course COMMAND --help``)."""

from course.cli import main

raise SystemExit(main())
