"""Campaign reports: the figures, SVG charts, HTML/PDF and XLSX."""
