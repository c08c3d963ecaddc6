"""Words for people, produced from structured results: the only place a result's reasons become
sentences (zh: Chinese, the language of the documents and the terminal)."""
