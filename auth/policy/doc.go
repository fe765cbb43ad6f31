// Package policy owns the federation's access policies as code: grants,
// column masks, row filters and classification rules, loaded from YAML,
// compiled against the product schemas, and evaluated per user and product
// into the shape of the view the user's session gets.
//
// # Files
//
// One federation-wide file (kind: FederationPolicy) and one file per domain
// (kind: DomainPolicy, with domain: NAME). A domain file may only name its
// own domain's products; the loader rejects anything else. Loading is
// strict (internal/strictyaml): an unknown key is refused with the closest
// known key suggested, and a key given twice anywhere (a second products:
// in a rule, a second denies: section) is refused naming both lines; a
// rule is never read as "the last value wins".
//
//	apiVersion: meshgate/v1
//	kind: FederationPolicy
//	grants:
//	  - id: analysts-read
//	    subjects: {groups: [analysts]}
//	    products: ["*"]                  # every product
//	denies:
//	  - id: no-contractors-on-sales
//	    subjects: {attributes: {employment: contractor}}
//	    products: ["sales.*"]
//	classifications:
//	  - id: pii-masked
//	    classification: pii              # every column classified pii, in any domain
//	    mask: redact
//	    unless: {attributes: {clearance: pii}}
//	masks:
//	  - id: amounts-rounded
//	    products: ["sales.orders"]
//	    columns: [amount]
//	    mask: {kind: round, digits: -1}
//	    unless: {groups: [stewards]}
//	rowFilters:
//	  - id: eu-sees-eu
//	    products: ["sales.orders", "sales.customers"]
//	    subjects: {attributes: {region: EU}}
//	    filter: "country_code IN ('DE', 'FR', 'GB')"
//
// The federation file may also say whether products a reader has no grant
// on are listed in discovery (the catalog API, the web catalog,
// meshgate.products/columns) with their metadata only, or hidden:
//
//	discovery:
//	  ungranted: listed                # the default; or hidden
//
// Subjects: users, groups and attributes; a subject matches when every
// part that is given matches (users: any of the list; groups: member of
// any; attributes: all of them equal). An empty subject matches everyone.
// Products: "domain.product", "domain.*" or "*".
//
// # Semantics: deny by default, restrictions accumulate, the federation wins
//
//   - A user reads a product only if some grant (federation or domain)
//     matches and no deny matches. A deny in either file beats any grant,
//     so a domain can restrict further but never lift a federation deny.
//   - A grant may list columns (or exceptColumns); the columns a user sees
//     are the union over the grants that match. Ungranted columns are
//     absent (selecting one answers 42703, as for any unknown column).
//   - Masks: for each column, the first matching mask of the federation
//     file (classification rules, then masks, in file order) wins; if the
//     federation has none, the first matching mask of the domain file. A
//     mask's unless: exempts subjects from that rule only: a domain cannot
//     exempt anyone from a federation mask.
//   - Row filters: every matching filter of both files applies (AND).
//   - Policy row filters see raw values; the user's own predicates, joins
//     and aggregates see masked values (the session's view is masked before
//     the user's query touches it).
//
// Mask kinds: redact (in text, the letters and digits of every script:
// upper/title case→X, other letters→x, digits→0, combining marks dropped,
// spaces, punctuation and symbols such as emoji kept; 0 for numbers; the
// first day of the year 1970 for dates), null, hash (keyed HMAC-style
// SHA-256 for text, a keyed 62-bit hash for integers: equal values stay
// joinable, the key never appears in SQL), partial (show_first / show_last
// characters), round (numbers: digits; dates/timestamps: unit),
// truncate (dates/timestamps: unit; numbers: digits) and sql (an
// expression over the column, written with the column's name). A mask
// always keeps the column's type; the compiler refuses one that does not.
//
// # Products defined in SQL: definer rights and declassification
//
// A product served by a type: sql port (an aggregate or consumer-aligned
// product) reads its inputs with its owning domain's rights, never with
// the consumer's:
//
//   - The owning domain D has an identity that rules grant like any role:
//     user "domain:D", group "domains", attribute domain: D
//     (DefinerIdentity). No user can log in as "domain:D" (user names have
//     no colon): a rule naming that user is the domain's alone, while a
//     user given the group or attribute gets what the rules give them. The
//     input's owner decides (its domain file may grant domain:D or not).
//     Its grants, masks and row filters on each input
//     shape the view the product's query reads (identity functions in
//     those filters answer for the domain). Without a grant on an input, or
//     on a column the query reads, the product is unreachable (reads are
//     55000 with the reason); its other products keep working.
//   - A consumer needs a grant on the product only, not on its inputs; its
//     own grants, masks, row filters and the classification rules apply to
//     the product's columns as to any product's. The inputs stay out of
//     the consumer's reach: naming them, or the domain's views of them, is
//     refused as for any product the consumer may not read.
//   - Each column of such a product has the strictest classification of
//     the input columns it is derived from (pii > confidential > internal >
//     public), so pii → masked rules follow the data.
//
// A descriptor may declare such a column less strict only with a
// declassification naming a rule of the federation file's
// declassifications section:
//
//	declassifications:
//	  - id: counts-of-personal-data
//	    classification: pii             # the class lowered
//	    to: internal                     # at most this low
//	    transformation: aggregate        # the column must be derived by an aggregate (or expression, identity)
//	    products: ["marketing.*"]        # optional: which products may use it
//	    domains: [marketing]             # optional: which owning domains
//
// meshgate validate -policies reports a declassification no rule allows,
// with the column's line; serve logs it and treats the column as its
// inputs' class (fail closed).
//
// Row filters are SQL predicates over the product's columns that may read
// the session's identity through current_user, session_attr('key') and
// in_group('name'); identity values are never spliced into SQL text.
package policy
