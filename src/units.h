/* Parsing of the value types shared by the CLI and the config: durations,
 * signals, exit codes. */
#ifndef CONFINIT_UNITS_H
#define CONFINIT_UNITS_H

#include <stdint.h>

/*
 * Parses a Go-style duration ("500ms", "10s", "2m", "1h30m", "1.5s", "0")
 * into milliseconds. Returns 0, or -1 for anything else (a bare number other
 * than 0 included: "10" is ambiguous).
 */
int units_duration(const char *s, int64_t *ms);

/*
 * Parses a signal by name ("SIGHUP", "HUP", any case, "SIGRTMIN+2") or
 * number (1..64). Returns the number, or -1.
 */
int units_signal(const char *s);

/*
 * Returns the name of sig ("SIGHUP"), or NULL if it has none. RT signals are
 * named in a static buffer that the next call overwrites.
 */
const char *units_signame(int sig);

/*
 * Parses a size: a whole number of bytes, or one followed by a unit: B,
 * KiB, MiB, GiB (powers of 1024), KB, MB, GB (powers of 1000); "16MiB",
 * "512 KiB". Returns 0 with *bytes, or -1 (also for 0 and above 1 TiB).
 */
int units_size(const char *s, uint64_t *bytes);

/* Parses a decimal integer within [min, max] into *out; returns 0 or -1. */
int units_int(const char *s, long min, long max, long *out);

#endif
