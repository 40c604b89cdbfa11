#!/usr/bin/env bash
# --user USER[:GROUP]: the app runs with the uid, gid and supplementary
# groups asked for (read back from the app's /proc/self/status), by number
# and by name, from /etc files or with none at all; a bad user is an error
# before anything runs. Not root, the app has no capability left and cannot
# become root again (setuid, setgid, setgroups all fail), and its
# NoNewPrivs is what confinit was started with (confinit does not set it:
# docs/security.md).
. "$(dirname "$0")/lib/lib.bash"

# A passwd and group of our own, bind-mounted over /etc in a mount
# namespace of the test.
ETC=$T_DIR/etc
mkdir -p "$ETC"
cat >"$ETC/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
appuser:x:2001:2002:App User:/nonexistent:/bin/false
EOF
cat >"$ETC/group" <<'EOF'
root:x:0:
appgrp:x:2002:
extra1:x:3001:appuser
extra2:x:3002:someone,appuser,other
notmine:x:3003:someone,appuserx
EOF
: >"$ETC/empty"
MOUNT_ETC='mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
shift 2 && exec "$@"'
MOUNT_NO_ETC='mount -t tmpfs none /etc && exec "$@"'

# wrap MODE SCRIPT ARGS...: sets CI_WRAP to run SCRIPT (which execs its
# "$@") in a mount namespace: the pid namespace's in pid1 mode, a new one in
# sub mode.
wrap() {
	local mode=$1
	shift
	CI_WRAP=(sh -c "$@")
	[[ $mode == sub ]] && CI_WRAP=(unshare --mount "${CI_WRAP[@]}")
}

# field KEY: the values of the KEY: line of the probe's report, space
# separated and sorted for Groups.
field() {
	if [[ $1 == Groups ]]; then
		awk '/^Groups:/ { for (i = 2; i <= NF; i++) print $i }' \
		    "$CI_OUT" | sort -n | tr '\n' ' ' | sed 's/ $//'
	else
		awk -v k="$1:" '$1 == k { print $2, $3, $4, $5 }' "$CI_OUT"
	fi
}

# run_as MODE SPEC UID GID [GROUPS]: runs the probe as --user SPEC and
# checks its real, effective, saved and fs uids and gids (GID empty: not
# checked), and with GROUPS its supplementary groups other than GID ("-":
# none).
run_as() {
	local mode=$1 spec=$2 uid=$3 gid=$4 groups=${5:-} got g
	local name="user/$mode/$spec${CI_WRAP:+ (own /etc)}" opt=()
	# SPEC "env": the user comes from CONFINIT_USER alone.
	[[ $spec == env ]] || opt=(--user "$spec")
	[[ -n ${CONFINIT_USER:-} ]] && name+=" CONFINIT_USER=$CONFINIT_USER"
	PROBE_REGAIN=1 ci_run "$mode" "${opt[@]}" -- "$HELPERS/probe"
	if [[ $CI_RC != 0 ]]; then
		fail "$name: exit status $CI_RC (stderr: $(head -c 300 \
		    "$CI_ERR" | tr '\n' '|'))"
		return
	fi
	expect_eq "$name: uid" "$uid $uid $uid $uid" "$(field Uid)"
	[[ -n $gid ]] &&
	    expect_eq "$name: gid" "$gid $gid $gid $gid" "$(field Gid)"
	got=
	for g in $(field Groups); do
		[[ $g == "$gid" ]] || got+="${got:+ }$g"
	done
	if [[ -n $groups ]]; then
		[[ $groups == - ]] && groups=
		expect_eq "$name: supplementary groups" "$groups" "$got"
	fi
	# Root's own group must never leak to the app.
	if [[ $uid != 0 && " $got " == *" 0 "* ]]; then
		fail "$name: root's group 0 leaked: '$got'"
	fi
	expect_eq "$name: NoNewPrivs as confinit was started" "$NNP" \
	    "$(field NoNewPrivs | tr -d ' ')"
	[[ $uid == 0 ]] && return
	# gid 0 was asked for (or is Docker's gid of a uid without a passwd
	# entry): setgid(0) changes nothing then.
	local want=none
	[[ ${gid:-0} == 0 ]] && want="setgid "
	expect_eq "$name: cannot become root again" "$want" \
	    "$(sed -n 's/^regain=//p' "$CI_OUT")"
	expect_eq "$name: no capability left" "0 0 0" \
	    "$(printf '%d ' "0x$(field CapPrm | tr -d ' ')" \
	    "0x$(field CapEff | tr -d ' ')" "0x$(field CapAmb | tr -d ' ')" |
	    sed 's/ $//')"
}
NNP=$(awk '/^NoNewPrivs:/ { print $2 }' /proc/self/status)

# bad_user MODE SPEC WORD: --user SPEC fails before the app runs, with a
# message naming WORD.
bad_user() {
	local mode=$1 spec=$2 word=$3
	local name="user/$mode/bad $2"
	local marker=$T_DIR/ran.$((T_SEQ + 1))
	PROBE_OUT=$marker ci_run "$mode" --user "$spec" -- "$HELPERS/probe"
	expect_true "$name: fails (exit status $CI_RC)" test "$CI_RC" != 0
	expect_true "$name: the app did not run" test ! -e "$marker"
	expect_grep "$name: the message names '$word'" "$word" "$CI_ERR"
}

for mode in $T_MODES; do
	run_as "$mode" 1234:5678 1234 5678 -
	run_as "$mode" 1234 1234 ""
	run_as "$mode" daemon "$(id -u daemon)" "$(id -g daemon)"
	run_as "$mode" nobody:daemon "$(id -u nobody)" "$(getent group daemon |
	    cut -d: -f3)"
	run_as "$mode" daemon:65534 "$(id -u daemon)" 65534
	run_as "$mode" 0:0 0 0

	wrap "$mode" "$MOUNT_ETC" sh "$ETC/passwd" "$ETC/group"
	run_as "$mode" appuser 2001 2002 "3001 3002"
	wrap "$mode" "$MOUNT_ETC" sh "$ETC/passwd" "$ETC/group"
	run_as "$mode" appuser:extra1 2001 3001
	wrap "$mode" "$MOUNT_ETC" sh "$ETC/passwd" "$ETC/group"
	run_as "$mode" 2001 2001 2002
	wrap "$mode" "$MOUNT_ETC" sh "$ETC/empty" "$ETC/empty"
	run_as "$mode" 4321:4321 4321 4321 -
	wrap "$mode" "$MOUNT_NO_ETC" sh
	run_as "$mode" 4321:4322 4321 4322 -

	CONFINIT_USER=1234:5678 run_as "$mode" env 1234 5678 -
	# The command line wins.
	CONFINIT_USER=daemon run_as "$mode" 1234:5678 1234 5678 -

	bad_user "$mode" no-such-user-xyz no-such-user-xyz
	bad_user "$mode" daemon:no-such-group-xyz no-such-group-xyz
	wrap "$mode" "$MOUNT_NO_ETC" sh
	bad_user "$mode" daemon daemon
done

finish
