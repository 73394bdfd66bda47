/* trust_schema.h — schema version 7 (issue 18): the hash chain over the
 * trail, review, signature and operator rows, the operators' public keys,
 * and the county's anchors of each school's chain.  Included by store.c
 * (base schema and migration step 6).  See trust.h for what the columns
 * hold and docs/trust.md for the threat model.
 *
 * The operators' salt and public key columns are added by trust_open
 * (ALTER TABLE has no IF NOT EXISTS, and a file whose version number was
 * lowered by hand must still migrate).
 *
 * The chain is a table of its own, one row per row of the four tables
 * (an operator: one per change), rather than a column of each: a person's
 * review and signature rows go with him when he is deleted, and the chain
 * must keep its links.  Append-only like the trail; the guards are
 * persistent (they call no function of jzg, so other SQLite programs can
 * still read and write the file) and re-created by jzg when dropped. */
#ifndef JZG_TRUST_SCHEMA_H
#define JZG_TRUST_SCHEMA_H

#define TRUST_GUARDS \
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN" \
	"  SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END;" \
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN" \
	"  SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END;" \
	"CREATE TRIGGER IF NOT EXISTS chain_no_update BEFORE UPDATE ON chain BEGIN" \
	"  SELECT RAISE(ABORT, '防篡改记录只能追加，不能修改'); END;" \
	"CREATE TRIGGER IF NOT EXISTS chain_no_delete BEFORE DELETE ON chain BEGIN" \
	"  SELECT RAISE(ABORT, '防篡改记录只能追加，不能删除'); END;"
#define TRUST_GUARD_COUNT 4
#define TRUST_OPERATOR_COLUMNS \
	"ALTER TABLE operator ADD COLUMN salt BLOB;" \
	"ALTER TABLE operator ADD COLUMN pubkey BLOB;"

#define TRUST_SCHEMA \
	"CREATE TABLE IF NOT EXISTS chain(" \
	"  seq INTEGER PRIMARY KEY," \
	"  tbl INTEGER NOT NULL," /* enum trust_table */ \
	"  row_id INTEGER NOT NULL," \
	"  dig BLOB NOT NULL," /* digest of the row's content (and aux) */ \
	"  hash BLOB NOT NULL," /* digest of the previous row's hash and dig */ \
	"  aux BLOB," /* an operator row: role and public key then */ \
	"  signer INTEGER," /* operator id whose key signed dig */ \
	"  sig BLOB);" \
	"CREATE INDEX IF NOT EXISTS chain_operator ON chain(row_id, seq) WHERE tbl = 4;" \
	"CREATE INDEX IF NOT EXISTS chain_review ON chain(row_id) WHERE tbl = 2;" \
	"CREATE TABLE IF NOT EXISTS trust_anchor(" \
	"  school TEXT PRIMARY KEY," \
	"  seq INTEGER NOT NULL," \
	"  hash BLOB NOT NULL," \
	"  keys TEXT," \
	"  at TEXT NOT NULL DEFAULT (datetime('now','localtime')));" \
	TRUST_GUARDS

#endif
