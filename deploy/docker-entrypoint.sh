#!/bin/sh
# The container's entrypoint (deploy/Dockerfile).
#
# Without arguments: bring the database to the code's schema, then run the bot. `yanxiu run`
# refuses to start on PostgreSQL when the schema is behind, so the migration must come first.
# With arguments: run them as given (compose's `migrate` and `bot` services name their command).
set -eu

if [ "$#" -eq 0 ]; then
    yanxiu db upgrade
    exec yanxiu run
fi

exec "$@"
