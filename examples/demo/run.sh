#!/bin/sh
# make demo: confinit's main job on the embedded default (see README.md).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec sh "$here/pid1.sh" "$1"
