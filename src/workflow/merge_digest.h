/* merge_digest.h — an identical re-merge skipped (merge.c; issue 21).  No
 * curses.  Only for merge.c.
 *
 * When a school's file has merged without a conflict left, the county file
 * records (table meta, key "merge_digest <school codes>") a digest of the
 * source file as it was and of the county's people of its schools as the
 * merge left them.  Merging a file whose digest and ours are both still
 * the recorded ones cannot add, change or find anything: every person
 * would be found identical.  It is then skipped without reading a record
 * (the 200-file re-merge took 7.7–8.1 s reading every set on both sides).
 *
 * What the digests read (BLAKE2b, cheap: no record is read):
 * - the source: its SQLite header (change counter, page count, schema
 *   cookie: any write to the file moves the counter), its size, its
 *   schools, every person's row (school, state, updated), and the
 *   largest rowid of its trail, explanations, signatures, reviews, photos
 *   and every set table (every change through jzg adds a trail row);
 * - ours: the schools of those codes and each of their people's row
 *   (state, updated) and latest trail row id (every change through jzg,
 *   in the county too, writes one).
 * A change that none of these shows (the file edited outside jzg, then
 * its header restored by hand) is not seen; such a file is not a school's
 * file any more. */
#ifndef JZG_MERGE_DIGEST_H
#define JZG_MERGE_DIGEST_H

#include "store.h"

/* Whether attached source sch (at path) and our side are as the last
 * clean merge of its schools recorded: 1 (skip the file), 0 (merge it),
 * -1 (a digest could not be read: merge it).  *key is the meta key, *src
 * the source's digest (hex), for merge_digest_record; both new (or NULL),
 * caller frees both.  Our side is read only when the source's digest is
 * the recorded one. */
int merge_digest_same(struct store *st, const char *sch, const char *path, char **key, char **src);

/* After a merge of sch without a conflict left: record src (from
 * merge_digest_same; NULL records nothing) with our side as the merge left
 * it, inside the merge's transaction. */
enum jzg_status merge_digest_record(struct store *st, const char *sch, const char *key, const char *src,
    char **cause);

/* Source people that a skipped file would have reported identical (those
 * of its schools), for its merge_result. */
int merge_digest_people(struct store *st, const char *sch);

#endif
