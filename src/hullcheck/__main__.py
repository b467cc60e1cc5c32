from hullcheck.cli import main

raise SystemExit(main())
