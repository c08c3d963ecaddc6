"""The pure core: answers, applicability, scoring, results, seals, rectification rules, figures. No I/O."""
