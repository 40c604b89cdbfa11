# Sourced by bench/reload.sh and bench/reload_rounds.sh.
# reload_files DIR: writes #4's start-up case into DIR: kv.yaml (1,000 keys
# in 10 groups), kv.json (the same keys), start.yaml (10 templates, each
# ranging over its group, rendered into DIR/out) and start-json.yaml (the
# same on kv.json).
reload_files() {
	mkdir -p "$1/out"
	# 1,000 keys in 10 groups; 10 templates, each ranging over its group. The
	# files go to their own directory, as an app's config would.
	{
		for g in $(seq 0 9); do
			echo "g$g:"
			for k in $(seq 0 99); do echo "  k$k: value-$g-$k"; done
		done
	} >"$1/kv.yaml"
	{
		echo "sources: [{url: \"file://$1/kv.yaml\"}]"
		echo "templates:"
		for g in $(seq 0 9); do
			echo "  - contents: '{{ range tree \"g$g\" }}{{ .Key }}={{ .Value }}"
			echo "      {{ end }}'"
			echo "    dest: $1/out/out$g.conf"
		done
		echo "log: {level: warn}"
	} >"$1/start.yaml"
	python3 - "$1/kv.yaml" "$1/kv.json" <<-'PY'
	import json, sys
	d = {}
	for line in open(sys.argv[1]):
	    if not line.startswith(" "):
	        g = d.setdefault(line.strip().rstrip(":"), {})
	    else:
	        k, v = line.strip().split(": ", 1)
	        g[k] = v
	json.dump(d, open(sys.argv[2], "w"))
	PY
	sed "s#kv.yaml#kv.json#" "$1/start.yaml" >"$1/start-json.yaml"
}
