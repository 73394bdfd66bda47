/* paths.h — where the definitions and the default database live.  No curses. */
#ifndef JZG_PATHS_H
#define JZG_PATHS_H

/* forms/ and data/ directories: $JZG_FORMS / $JZG_DATA, else the installed
 * share/jzg beside the binary (/usr/bin/jzg → /usr/share/jzg), else the
 * compiled-in prefix, else (developer builds, JZG_DEV_TREE) the source tree
 * the binary was built from.  When none exists, the first of these places.
 * Returns a new string (caller frees). */
char *paths_forms_dir(void);
char *paths_data_dir(void);

/* NULL when forms and data (either may be NULL: given by the user, not
 * looked for) are directories; else one Chinese line saying where jzg
 * looked and how to fix it (caller frees). */
char *paths_missing(const char *forms, const char *data);

/* $XDG_DATA_HOME/jzg/jzg.db (default ~/.local/share/jzg/jzg.db); creates the
 * directory.  Returns a new string (caller frees) or NULL with a cause. */
char *paths_default_db(char **cause);
/* mkdir -p (0755): 0, or -1 with errno. */
int paths_mkdir(const char *path);
/* The visible folder where the clerk finds what jzg writes for a school
 * (exports, sheets): DOCUMENTS/jzg/CODE_NAME, created.  DOCUMENTS is
 * XDG_DOCUMENTS_DIR from user-dirs.dirs (what `xdg-user-dir DOCUMENTS`
 * prints), else ~/文档 when it exists, else ~/Documents.  Returns a new
 * string, or NULL with *cause (Chinese). */
char *paths_output_dir(const char *school_code, const char *school_name, char **cause);

/* Complete typed as a file name (Tab in a path prompt): "~/" stands for
 * $HOME; hidden entries only when typed starts them with ".".  Returns
 * typed extended by the longest prefix all matches share (a directory
 * gets its "/" when it is the only match), and *nmatch their number; when
 * there are several, *list (may be NULL) gets up to 20 of their names,
 * two spaces apart (caller frees).  Returns a new string (caller frees). */
char *paths_complete(const char *typed, int *nmatch, char **list);

#endif
