// Package adbc is the client suite's Go ADBC Flight SQL driver scenarios
// (github.com/apache/arrow-adbc/go/adbc/driver/flightsql, the core the
// Python and R ADBC packages wrap) against the real meshgate binary:
// values, masks and row filters equal to what pgx sees for the same user,
// bound parameters, catalog objects, refusals and a cancelled query.
package adbc
