from aude_desktop.app import main

raise SystemExit(main())
