/* The descriptors confinit passes on to what it starts: 0, 1, 2 and the
 * ones it was started with, never one it opened itself. */
#ifndef CONFINIT_FDKEEP_H
#define CONFINIT_FDKEEP_H

/*
 * Records the descriptors above 2 that confinit was started with (those not
 * close-on-exec). Call first thing in main(), before anything is opened;
 * without it children get 0, 1 and 2 only.
 */
void fdkeep_init(void);

/*
 * In a forked child, before exec: makes every descriptor above 2
 * close-on-exec but the recorded ones. Libraries open descriptors that are
 * not close-on-exec (libcurl's socketpair and sockets): this is what keeps
 * them from the app. Async-signal-safe: no allocation, only fcntl and
 * close_range.
 */
void fdkeep_child(void);

#endif
