#!/bin/sh
# Prints "pid ppid state comm" for every process in the container.
for f in /proc/[0-9]*/stat; do
	read -r l <"$f" 2>/dev/null || continue
	c=${l#*(}
	c=${c%)*}
	set -- ${l##*) }
	echo "${l%% *} $2 $1 $c"
done
