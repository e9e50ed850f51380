"""Adapters layer: files (io), presentation (charts, tables, pages, widgets, report rendering, app)
and the command line.  Only this layer touches the disk, the clock, the terminal and the browser."""
