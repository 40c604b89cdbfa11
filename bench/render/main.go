// Renders bench/render/render.tmpl with Go's text/template over the keys of
// a JSON file, R times, and prints the mean time of one render. The
// functions are the two consul-template ones the template uses.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"
)

type pair struct{ Key, Value string }

func flatten(prefix string, v interface{}, out map[string]string) {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			flatten(prefix+k+"/", x, out)
		}
	default:
		out[strings.TrimSuffix(prefix, "/")] = fmt.Sprint(t)
	}
}

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: render TEMPLATE DATA.json OUT R")
		os.Exit(2)
	}
	text, _ := os.ReadFile(os.Args[1])
	raw, _ := os.ReadFile(os.Args[2])
	var doc interface{}
	if err := json.Unmarshal(raw, &doc); err != nil {
		panic(err)
	}
	kv := map[string]string{}
	flatten("", doc, kv)
	tree := func(prefix string) []pair {
		prefix = strings.Trim(prefix, "/") + "/"
		var ps []pair
		for k, v := range kv {
			if strings.HasPrefix(k, prefix) {
				ps = append(ps, pair{strings.TrimPrefix(k, prefix), v})
			}
		}
		sort.Slice(ps, func(i, j int) bool { return ps[i].Key < ps[j].Key })
		return ps
	}
	t := template.Must(template.New("render.tmpl").Funcs(template.FuncMap{
		"tree": tree, "toUpper": strings.ToUpper,
	}).Parse(string(text)))
	r, _ := strconv.Atoi(os.Args[4])
	var out bytes.Buffer
	start := time.Now()
	for i := 0; i < r; i++ {
		out.Reset()
		if err := t.Execute(&out, nil); err != nil {
			panic(err)
		}
	}
	el := time.Since(start)
	os.WriteFile(os.Args[3], out.Bytes(), 0644)
	fmt.Printf("go text/template: %.2f ms per render, %d bytes\n",
		float64(el.Microseconds())/1000/float64(r), out.Len())
}
