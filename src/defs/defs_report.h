/* defs_report.h — where every set, field and code table of the definitions
 * comes from and how reliable it is (the `source` and `tag` columns of
 * forms/ and data/), with counts of confirmed, assumed and missing items,
 * so that a province sees what to replace from its own 基础代码表
 * (`jzg forms report`).  No curses. */
#ifndef JZG_DEFS_REPORT_H
#define JZG_DEFS_REPORT_H

#include <stdio.h>

#include "defs.h"

/* How reliable a tag says an item is: confirmed (OFF, STD, CLONE-A,
 * CLONE-B), assumed (VENDOR, INFERRED, UNCERTAIN) or missing (MISSING, or
 * no tag at all); the weakest part of a joined tag wins. */
enum defs_reliability { DR_CONFIRMED, DR_ASSUMED, DR_MISSING, DR__COUNT };

enum defs_reliability defs_reliability(const char *tag);
/* 确认 / 推定 / 缺失 */
const char *defs_reliability_label(enum defs_reliability r);

/* Write the report to out: tsv = 0 for text (80 columns), 1 for one
 * tab-separated row per item.  Returns 0, or -1 when writing failed. */
int defs_report(const struct defs *defs, FILE *out, int tsv);

#endif
