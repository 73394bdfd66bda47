/* migrate.h — values keyed with an older version of the definitions
 * brought to this version through forms/renames.tsv (defs.h struct
 * rename_def): a renamed field's values move to its new column, a
 * replaced code is rewritten, a split code (one old code, several new) is
 * refused because only a person can choose.  No curses.
 *
 * A file records the version it was keyed with (meta forms_version);
 * store_open migrates an older file in one transaction, or refuses it
 * unchanged, naming what stands in the way.  The baseline (baseline.c)
 * goes through the same mapping when last year's file is older. */
#ifndef JZG_MIGRATE_H
#define JZG_MIGRATE_H

#include "store.h"

/* The column a source keyed with definitions version from holds field
 * (of set) under: its old name when a rename after from renamed it, else
 * field itself.  Points into defs. */
const char *migrate_source_column(const struct defs *defs, const char *set, const char *field, int from);

/* Multi-select value v of field f with code old replaced by new, in the
 * stored form (each code once, in the code table's order; codes the
 * table does not know kept after the others).  Caller frees. */
char *migrate_recode_multi(const struct field_def *f, const char *v, const char *old, const char *new);

/* Rewrite the codes replaced after version from in tables prefix<set>
 * ("s_" or "b_"), rows where (may be NULL; SQL over the table's own
 * columns) holds — in a multi-select field, the code among the others;
 * refuse (JZG_ERR_INVALID with a cause naming field, code
 * and count) when a value has a code split after from.  With fields, move
 * renamed fields' values to their new columns first.  In the caller's
 * transaction. */
enum jzg_status migrate_values(struct store *st, const char *prefix, int from, int fields, const char *where,
    char **cause);

/* The file's definitions version (meta forms_version), 0 when not
 * recorded. */
int migrate_file_version(struct store *st, const char *schema);

/* store_open's step for a file opened for writing: record this version in
 * a file without one; migrate an older file (its data and its baseline) in
 * one transaction; refuse a file keyed with newer definitions. */
enum jzg_status migrate_file(struct store *st, char **cause);

#endif
