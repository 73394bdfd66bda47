/* fuzz.h — what the libFuzzer targets share: the shipped definitions,
 * loaded once per process (JZG_FORMS / JZG_DATA, else the source tree). */
#ifndef JZG_FUZZ_H
#define JZG_FUZZ_H

struct defs;

/* The shipped definitions; aborts if they do not load (not a finding). */
struct defs *fuzz_defs(void);

#endif
