"""Use cases: every workflow (import, interview, finalise, amend, re-inspect, rectify, units, campaigns,
documents, reports) as one function taking an explicit Context. Commands call these and print."""
