"""Files in and out: answers files, units CSV, exports, evidence copies."""
