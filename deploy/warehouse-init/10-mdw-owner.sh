#!/bin/sh
# Run once by the postgres image when it initialises its data folder (docker-entrypoint-initdb.d),
# as the image's superuser. Creates the warehouse's owner: not a superuser, it may create the
# component roles and owns the database. `mdw migrate` (airflow-init) does the rest as that owner.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$MDW_PG_PASSWORD_OWNER" <<'SQL'
CREATE ROLE mdw_owner LOGIN CREATEROLE CREATEDB PASSWORD :'owner_password';
ALTER DATABASE monitor OWNER TO mdw_owner;
SQL
