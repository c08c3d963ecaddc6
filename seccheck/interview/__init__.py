"""The interview: asks a ruleset's questions one by one and records each answer as it is given.

Three modules: `seam` (what is shown and asked; the `Asker` and `Recorder` protocols), `order` (which
questions, in what order) and `flow` (the `Interview` itself). The flow lives here; the screen does not.
An `Asker` shows what the interview tells it and returns what the person typed. The terminal asker (rich,
in the CLI) is one; tests drive the same flow with a scripted one. A `Recorder` saves every answer the
moment it is given (the database in practice), so nothing typed is lost, whatever happens to the process.

At any answer prompt: `?` help, `b` back one question, `s` skip for now, `q` save and quit. At the
sub-prompts of a non-compliant answer (amount of a range deduction, note, evidence) `?` shows the
help, `b` goes back one step (from the first, to the answer itself) and `q` saves what is complete
and quits. After going back, answering walks forward through the questions in order, as far as the
person had come; from there on it goes to the next unanswered question.
"""
