#!/usr/bin/env bash
# The etcd source against a 3-node cluster on loopback: confinit watches
# through the leader (first in its URL); the leader is killed; a change
# made through a survivor after the fail-over reaches the app.
. "$(dirname "$0")/lib/lib.bash"
. "$(dirname "$0")/lib/etcd.bash"

D=$T_DIR
has_leader() { LEADER=$(etcd_leader) && [[ -n $LEADER ]]; }

etcd_cluster 3
expect_true "cluster: a leader is elected" wait_until 20 has_leader
ETCD_EP=127.0.0.1:${ETCD_CPORT[$LEADER]}
etcd_put /app/v one
urls=127.0.0.1:${ETCD_CPORT[$LEADER]}
for n in e1 e2 e3; do
	[[ $n != "$LEADER" ]] && urls+=",127.0.0.1:${ETCD_CPORT[$n]}" &&
	    survivor=$n
done

cat >"$D/cfg.yaml" <<YAML
sources: [{name: cluster, url: "etcd://$urls/app"}]
templates:
  - {contents: "v={{ key \"v\" }}", dest: $D/app.conf}
exec: {command: [sh, $D/app.sh, $D/app.log]}
YAML
ci_start sub --config "$D/cfg.yaml"
expect_true "cluster: first render" ci_wait_for 20 file_is "$D/app.conf" v=one
etcd_put /app/v two
expect_true "cluster: a change through the leader arrives" \
    wait_until 10 file_is "$D/app.conf" v=two

etcd_kill "$LEADER"
ETCD_EP=127.0.0.1:${ETCD_CPORT[$survivor]}
wait_until 20 etcd_put /app/v three
expect_true "cluster: after the leader died, a change arrives" \
    wait_until 20 file_is "$D/app.conf" v=three
expect_grep "cluster: the watch moved to another node" \
    "watching again .* on 127.0.0.1:" "$CI_ERR"
expect_eq "cluster: the app was started once" 1 \
    "$(grep -c '^start' "$D/app.log")"
expect_true "cluster: confinit is alive" alive "$CI_PID"
kill -TERM "$CI_PID"
ci_wait 10
expect_no_grep "no sanitizer report" "Sanitizer" "$CI_ERR"
finish
