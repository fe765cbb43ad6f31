-- psql's meta-commands over the emulated catalog (test/clients/run.sh).
\echo '== l'
\l
\echo '== dn'
\dn
\echo '== dt'
\dt
\echo '== dt sales.*'
\dt sales.*
\echo '== dt (geo|supply).*'
\dt (geo|supply).*
\echo '== d sales.orders'
\d sales.orders
\echo '== d+ geo.countries'
\d+ geo.countries
\echo '== d supply.suppliers'
\d supply.suppliers
\echo '== dv'
\dv
\echo '== df'
\df
\echo '== x'
\x
SELECT country_code, name, region_code, population FROM geo.countries ORDER BY population DESC LIMIT 2;
\x
\echo '== conninfo'
\conninfo
\echo '== copy'
\copy (SELECT c.name, sum(o.amount) AS revenue, count(*) AS orders FROM sales.orders o JOIN geo.countries c USING (country_code) GROUP BY 1 ORDER BY 2 DESC LIMIT 5) to 'revenue.csv' csv header
\copy (SELECT region_code, name, main_languages FROM geo.regions ORDER BY 1) to 'regions.txt'
\echo '== query'
SELECT c.name, sum(o.amount) AS revenue FROM sales.orders o JOIN geo.countries c USING (country_code) GROUP BY 1 ORDER BY 2 DESC LIMIT 3;
