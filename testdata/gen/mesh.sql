-- Demo mesh generator: every file of testdata/mesh comes from here.
-- Deterministic: fixed formulas only (no random()), explicit ORDER BY,
-- UTC. {{mesh}} is replaced by the mesh directory (SQL-escaped).
-- Text files (csv, json) are committed; binary files (parquet, duckdb)
-- are generated (see testdata/.gitignore). The generator writes each
-- binary file to a temporary name and renames it.
SET TimeZone = 'UTC';
SET threads = 4;

CREATE TEMP TABLE g_regions AS
SELECT * FROM (VALUES
  ('APAC',  'Asia-Pacific',                  'Singapore', ['English', 'Mandarin', 'Hindi', 'Japanese']),
  ('EU',    'Europe',                        'Brussels',  ['English', 'German', 'French', 'Spanish']),
  ('LATAM', 'Latin America',                 'São Paulo', ['Spanish', 'Portuguese']),
  ('MEA',   'Middle East and Africa',        'Dubai',     ['Arabic', 'English', 'French', 'Swahili']),
  ('NA',    'North America',                 'Toronto',   ['English', 'Spanish', 'French'])
) AS t(region_code, name, headquarters, main_languages);

CREATE TEMP TABLE g_countries AS
SELECT row_number() OVER (ORDER BY country_code) AS k, * FROM (VALUES
  ('AU', 'Australia',      'APAC',  26439111),
  ('BR', 'Brazil',         'LATAM', 216422446),
  ('CA', 'Canada',         'NA',    38781291),
  ('DE', 'Germany',        'EU',    83294633),
  ('EG', 'Egypt',          'MEA',   112716598),
  ('ES', 'Spain',          'EU',    47519628),
  ('FR', 'France',         'EU',    64756584),
  ('GB', 'United Kingdom', 'EU',    67736802),
  ('IN', 'India',          'APAC',  1428627663),
  ('IT', 'Italy',          'EU',    58870762),
  ('JP', 'Japan',          'APAC',  123294513),
  ('KE', 'Kenya',          'MEA',   55100586),
  ('MX', 'Mexico',         'LATAM', 128455567),
  ('NG', 'Nigeria',        'MEA',   223804632),
  ('NL', 'Netherlands',    'EU',    17618299),
  ('PL', 'Poland',         'EU',    41026067),
  ('SE', 'Sweden',         'EU',    10612086),
  ('SG', 'Singapore',      'APAC',  6014723),
  ('US', 'United States',  'NA',    339996563),
  ('ZA', 'South Africa',   'MEA',   60414495)
) AS t(country_code, name, region_code, population);

-- 200 customers; country by a fixed stride over the 20 countries.
CREATE TEMP TABLE g_customers AS
WITH n AS (SELECT range::BIGINT AS i FROM range(1, 201)),
first AS (SELECT ['Anna', 'Ben', 'Chloé', 'David', 'Emma', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas',
                  'Kofi', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq'] AS l),
last AS (SELECT ['Adams', 'Berg', 'Costa', 'Dubois', 'Eriksson', 'Fischer', 'García', 'Hughes', 'Ito', 'Jansen',
                 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Rossi', 'Schmidt', 'Tanaka', 'Visser'] AS l)
SELECT n.i AS customer_id,
       first.l[(n.i * 7) % 20 + 1] || ' ' || last.l[(n.i * 13) % 20 + 1] AS name,
       lower(strip_accents(first.l[(n.i * 7) % 20 + 1] || '.' || last.l[(n.i * 13) % 20 + 1])) || n.i || '@example.com' AS email,
       '+00 ' || lpad(((n.i * 7919) % 1000)::VARCHAR, 3, '0') || ' ' || lpad(((n.i * 104729) % 10000)::VARCHAR, 4, '0') AS phone,
       c.country_code,
       DATE '2021-01-01' + ((n.i * 17) % 1000)::INTEGER AS signup_date
FROM n, first, last, g_countries c
-- Skewed on purpose: a quarter of the customers live in the US, then
-- Germany and the United Kingdom; the rest spread over all countries.
WHERE c.country_code = CASE WHEN n.i % 4 = 0 THEN 'US' WHEN n.i % 7 = 0 THEN 'DE' WHEN n.i % 9 = 0 THEN 'GB'
                            ELSE (SELECT country_code FROM g_countries WHERE k = (n.i * 31) % 20 + 1) END;

-- 2,000 orders from 2023 and 2024, each after its customer's signup, in
-- the customer's country.
CREATE TEMP TABLE g_orders AS
WITH n AS (SELECT range::BIGINT AS i FROM range(0, 2000))
SELECT 100001 + n.i AS order_id,
       cu.customer_id,
       cu.country_code,
       greatest(cu.signup_date, DATE '2023-01-01') + ((n.i * 29) % 365)::INTEGER AS order_date,
       ((5 + ((n.i * 7717) % 50000) / 100.0) * CASE WHEN n.i % 13 = 0 THEN 6 ELSE 1 END)::DECIMAL(12,2) AS amount,
       ['placed', 'paid', 'paid', 'shipped', 'shipped', 'delivered', 'delivered', 'delivered', 'cancelled', 'returned'][(n.i * 11) % 10 + 1] AS status,
       n.i AS i
-- Every customer orders; the first 40 order far more often than the rest.
FROM n JOIN g_customers cu
  ON cu.customer_id = CASE WHEN n.i % 3 = 0 THEN (n.i * n.i) % 40 + 1 ELSE (n.i * 37) % 200 + 1 END;

CREATE TEMP TABLE g_orders2 AS
SELECT order_id, customer_id, country_code, order_date, amount, status,
       (order_date + to_seconds((i * 3607) % 86400))::TIMESTAMPTZ AS created_at
FROM g_orders;

-- One shipment for every order that left the warehouse.
CREATE TEMP TABLE g_shipments AS
WITH o AS (SELECT *, md5('shipment-' || order_id) AS h FROM g_orders2
           WHERE status IN ('shipped', 'delivered', 'returned'))
SELECT 500000 + row_number() OVER (ORDER BY order_id) AS shipment_id,
       order_id,
       created_at + to_hours(4 + (order_id * 13) % 72) AS shipped_at,
       ['DHL', 'UPS', 'FedEx', 'PostNL', 'La Poste'][(order_id * 7) % 5 + 1] AS carrier,
       round(0.2 + ((order_id * 97) % 3000) / 100.0, 2)::DOUBLE AS weight_kg,
       (substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-a' || substr(h, 18, 3) || '-' || substr(h, 21, 12))::UUID AS tracking_id
FROM o;

CREATE TEMP TABLE g_suppliers AS
WITH n AS (SELECT range::INTEGER AS i FROM range(1, 31)),
w AS (SELECT ['Acme', 'Borealis', 'Cobalt', 'Delta', 'Evergreen', 'Fjord', 'Granite', 'Harbor', 'Iris', 'Juniper'] AS a,
             ['Trading', 'Logistics', 'Supplies', 'Industries', 'Goods', 'Wholesale'] AS b)
SELECT n.i AS supplier_id,
       w.a[(n.i - 1) % 10 + 1] || ' ' || w.b[(n.i * 7) % 6 + 1] AS name,
       c.country_code,
       (2.5 + ((n.i * 37) % 25) / 10.0)::DECIMAL(3,1) AS rating,
       n.i % 7 <> 0 AS active,
       list_slice(['electronics', 'apparel', 'home', 'garden', 'toys', 'books'], (n.i % 6) + 1, (n.i % 6) + 1 + n.i % 3) AS categories
FROM n, w, g_countries c
WHERE c.k = (n.i * 13) % 20 + 1;

CREATE TEMP TABLE g_inventory AS
WITH n AS (SELECT range::INTEGER AS i FROM range(0, 500))
SELECT 'SKU-' || lpad((10000 + n.i * 7)::VARCHAR, 6, '0') AS sku,
       (n.i * 11) % 30 + 1 AS supplier_id,
       ['AMS-1', 'FRA-2', 'MAD-1', 'NYC-3', 'SIN-1'][(n.i * 3) % 5 + 1] AS warehouse,
       ((n.i * 7919) % 1200)::INTEGER AS quantity,
       (1 + ((n.i * 4513) % 20000) / 100.0)::DECIMAL(10,2) AS unit_cost,
       TIMESTAMP '2024-12-01 00:00:00' + to_minutes((n.i * 173) % 43200) AS updated_at
FROM n;

-- Text ports (committed).
COPY (SELECT region_code, name, headquarters, main_languages FROM g_regions ORDER BY region_code)
  TO '{{mesh}}/geo/data/regions.json' (FORMAT json);
COPY (SELECT country_code, name, region_code, population FROM g_countries ORDER BY country_code)
  TO '{{mesh}}/geo/data/countries.csv' (FORMAT csv, HEADER true);
COPY (SELECT customer_id, name, email, phone, country_code, signup_date FROM g_customers ORDER BY customer_id)
  TO '{{mesh}}/sales/data/customers.csv' (FORMAT csv, HEADER true);
COPY (SELECT shipment_id, order_id, strftime(shipped_at, '%Y-%m-%dT%H:%M:%SZ') AS shipped_at, carrier, weight_kg, tracking_id FROM g_shipments ORDER BY shipment_id)
  TO '{{mesh}}/supply/data/shipments.json' (FORMAT json);

-- Binary ports (generated, not committed).
COPY (SELECT order_id, customer_id, country_code, order_date, amount, status, created_at FROM g_orders2 ORDER BY order_id)
  TO '{{mesh}}/sales/data/orders.parquet.tmp' (FORMAT parquet, COMPRESSION zstd);
COPY (SELECT * FROM g_inventory ORDER BY sku)
  TO '{{mesh}}/supply/data/inventory.parquet.tmp' (FORMAT parquet, COMPRESSION zstd);
ATTACH '{{mesh}}/supply/data/suppliers.duckdb.tmp' AS g_suppliers_db;
CREATE TABLE g_suppliers_db.main.suppliers AS SELECT * FROM g_suppliers ORDER BY supplier_id;
DETACH g_suppliers_db;
