/* outfile.h — every output reaches its final name whole, and nothing is
 * left behind (issue 18 item 6).  No curses.
 *
 * An output is written under a hidden name beside its final one,
 * ".NAME.<pid>.part" (a rename is atomic only within one file system),
 * fsynced, renamed, and its directory fsynced: after a power cut the final
 * name holds the whole file or nothing.  Work that need not be beside it —
 * the workbooks of a ZIP, a workbook taken out of a ZIP, a school's file
 * being packed — goes in a directory "jzg_WHAT_<pid>_XXXXXX" under $TMPDIR
 * (/tmp when unset).  What a killed run left, of either kind, is known by
 * its process id: when no such process runs any more, the next run that
 * writes there removes it and says so. */
#ifndef JZG_OUTFILE_H
#define JZG_OUTFILE_H

#include "status.h"

/* "DIR/.NAME.<pid>.part" for path "DIR/NAME" (caller frees), after
 * removing what killed runs left in DIR (outfile_sweep; not again for the
 * same DIR as the call before). */
char *outfile_part(const char *path);

/* fsync tmp, rename it to path, fsync the directory.  On failure tmp is
 * removed and the cause names path. */
enum jzg_status outfile_commit(const char *tmp, const char *path, char **cause);

/* A new directory $TMPDIR/jzg_WHAT_<pid>_XXXXXX (caller frees the name
 * and removes it with outfile_rmtree), after removing what killed runs
 * left under $TMPDIR. */
enum jzg_status outfile_tmpdir(const char *what, char **dir, char **cause);
/* Remove dir and the files in it (one level: all jzg puts there). */
void outfile_rmtree(const char *dir);

/* Remove from dir (NULL: $TMPDIR) the temporary files and directories of
 * jzg runs that no longer run, saying each through the notice hook.
 * Returns how many. */
int outfile_sweep(const char *dir);

/* Where "已删除上次中断留下的临时文件 …" goes: stderr unless set (the
 * client shows it on its status line). */
void outfile_set_notice(void (*fn)(const char *msg));

/* Copy file from to a new file to (which must not exist), fsync'd. */
enum jzg_status outfile_copy(const char *from, const char *to, char **cause);

#endif
