/* paths.h — where the definitions and the default database live.  No curses. */
#ifndef JZG_PATHS_H
#define JZG_PATHS_H

/* forms/ and data/ directories: $JZG_FORMS / $JZG_DATA, else the installed
 * share/jzg beside the binary, else the source tree the binary was built
 * from.  Returns a new string (caller frees). */
char *paths_forms_dir(void);
char *paths_data_dir(void);

/* $XDG_DATA_HOME/jzg/jzg.db (default ~/.local/share/jzg/jzg.db); creates the
 * directory.  Returns a new string (caller frees) or NULL with a cause. */
char *paths_default_db(char **cause);

#endif
