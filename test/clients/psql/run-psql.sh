#!/usr/bin/env bash
# The psql scenario of test/clients/run.sh, in a scratch directory (for
# \copy's files):
#   catalog.sql    meta-commands, \x, \conninfo, \copy (any error stops it);
#                  the files \copy wrote are appended to its output
#   operators.sql  PostgreSQL semantics clients rely on (errors reported, the
#                  script goes on); its .expected is PostgreSQL 15's output
# and compares each whole output with NAME.expected (UPDATE=1 rewrites
# catalog.expected).
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${MG_TMP:-/tmp}/psql.XXXXXX")
cd "$work" || exit 2
conn="host=$MG_HOST port=$MG_PORT user=$MG_USER dbname=$MG_DB sslmode=prefer"
status=0

# check NAME: compares NAME.out with $here/NAME.expected.
check() {
	if [ "${UPDATE:-}" = 1 ] && [ "$1" != operators ]; then # operators.expected is PostgreSQL's
		cp "$1.out" "$here/$1.expected"
		echo "$1.expected rewritten"
	elif diff -u "$here/$1.expected" "$1.out"; then
		echo "$1.sql: output as expected"
	else
		echo "$1.sql: output differs from test/clients/psql/$1.expected (diff above)"
		status=1
	fi
}

psql -X -v ON_ERROR_STOP=1 -f "$here/catalog.sql" "$conn" >catalog.out 2>&1
rc=$?
# The port changes at every run; psql names the script in its messages.
sed -i -e "s/port \"$MG_PORT\"/port \"PORT\"/" -e "s#^psql:$here/#psql:#" catalog.out
for f in revenue.csv regions.txt; do
	echo "== file $f" >>catalog.out
	if [ -f "$f" ]; then cat "$f" >>catalog.out; else echo "(missing)" >>catalog.out; fi
done
if [ $rc -ne 0 ]; then
	echo "catalog.sql: psql exited $rc"
	status=1
fi
check catalog

psql -X -f "$here/operators.sql" "$conn" >operators.out 2>&1
rc=$?
sed -i "s#^psql:$here/#psql:#" operators.out
if [ $rc -ne 0 ]; then
	echo "operators.sql: psql exited $rc (the session was lost?)"
	status=1
fi
check operators
[ $status -eq 0 ] && echo "psql $(psql --version | awk '{print $3}'): catalog.sql, operators.sql as expected"
exit $status
