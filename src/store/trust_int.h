/* trust_int.h — what trust.c (functions, triggers, keys, the check on
 * open) and trust_verify.c (the walk of the chain, the full check) share.
 * Not for other modules. */
#ifndef JZG_TRUST_INT_H
#define JZG_TRUST_INT_H

/* (after trust.h, which every includer includes first) */

#define TRUST_DIG 16   /* bytes of a digest and of a link's hash */

/* The session of one connection: who signs with which key. */
struct trust_ctx {
	sqlite3_int64 signer;     /* operator id; 0: the operator row being inserted */
	int           has_key;
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	sqlite3_stmt *last;       /* the last link's hash (main.chain) */
	sqlite3_int64 verified;   /* the last link checked on open; -1: not checked */
	long          written;    /* links made on this connection since */
	sqlite3_int64 mark[TRUST_SIGNATURE + 1];   /* trust_bulk: last row id before, per table */
};

/* "p.id, p.at, …": the columns of table t a digest covers, each prefixed
 * with prefix ("new.", "t." or ""); caller frees. */
char *trust_cols(enum trust_table t, const char *prefix);
const char *trust_table_name(enum trust_table t);

/* How much trust_walk checks:
 *   OPEN   the links from from_seq on, rows changed, removed or added past
 *          the trail's last link, every operator (a few queries);
 *   MERGE  that, and every review row, its signature and the people marked
 *          approved: all in proportion to people, not to the trail;
 *   FULL   everything from the first link, every value against the trail. */
enum { TRUST_WALK_OPEN, TRUST_WALK_MERGE, TRUST_WALK_FULL };

/* Walk the chain of schema from link from_seq (0: the first), whose hash
 * must then be from_hash (NULL: not compared), as mode says.  out: the
 * last link. */
struct trust_walk_out {
	sqlite3_int64 head_seq;
	unsigned char head_hash[TRUST_DIG];
	long          links;
};
/* "张三 1101**********1234" of staff id in schema (caller frees). */
char *trust_person(struct store *st, const char *sch, sqlite3_int64 id);
/* Every value of every person of sch against the trail (trust_values.c):
 * each difference to tell_fn(w, 1, text); *unknown counts people with no
 * trail and rows whose trail has no values. */
void trust_values(struct store *st, const char *sch, void (*tell_fn)(void *w, int finding, const char *text), void *w,
    long *unknown);

enum jzg_status trust_walk(struct store *st, const char *schema, sqlite3_int64 from_seq,
    const unsigned char *from_hash, int mode, trust_cb cb, void *arg, struct trust_result *res,
    struct trust_walk_out *out, char **cause);

#endif
