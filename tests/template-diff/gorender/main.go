// gorender renders one template with Go's text/template and a function map
// that mirrors one dialect (consul-template, confd, dockerize) over a fixed
// key/value snapshot, so that confinit's engine can be compared against it.
//
// Usage: gorender TEMPLATE DATA.json
// The rendered text goes to stdout; on a parse or execution error nothing is
// written to stdout, the error goes to stderr and the exit status is 1.
//
// Usage: gorender -batch CORPUS OUTDIR
// Renders every CORPUS/NAME.tmpl (data: NAME.json, else default.json) into
// OUTDIR/NAME.go, OUTDIR/NAME.go.err and OUTDIR/NAME.go.rc ("0" or "1"), in
// one process: starting a Go program per case would take most of the time.
//
// Usage: gorender -compare CORPUS OUTDIR
// Compares OUTDIR/NAME.go* with confinit's OUTDIR/NAME.c* (crender -batch)
// and prints one line per case: "PASS NAME" or "FAIL NAME<TAB>cause". The
// rules are in ../README.md ("What is compared").
// The data format is described in ../README.md.
package main

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"unicode"
)

// data is the JSON data file of one case.
type data struct {
	KV      map[string]string      `json:"kv"`
	Env     map[string]string      `json:"env"`
	Dialect string                 `json:"dialect"`
	Missing string                 `json:"missing"`
	Delims  []string               `json:"delims"`
	Fields  map[string]interface{} `json:"fields"`
}

// KeyPair is a consul-template key/value pair: Key is relative to the
// listed prefix, Path is the full key.
type KeyPair struct {
	Path  string
	Key   string
	Value string
}

// KVPair is a confd pair: Key is the full key with a leading '/'.
type KVPair struct {
	Key   string
	Value string
}

// store is the key/value snapshot; keys carry no leading '/'.
type store struct {
	kv   map[string]string
	keys []string
}

// norm strips the leading '/' that templates may write before a key.
func norm(k string) string {
	return strings.TrimLeft(k, "/")
}

// get looks a key up.
func (s *store) get(k string) (string, bool) {
	v, ok := s.kv[norm(k)]
	return v, ok
}

// under returns the sorted keys below prefix (as a directory) with their
// relative names.
func (s *store) under(prefix string) ([]string, []string) {
	p := strings.Trim(prefix, "/")
	var full, rel []string
	for _, k := range s.keys {
		if p == "" {
			full = append(full, k)
			rel = append(rel, k)
		} else if strings.HasPrefix(k, p+"/") {
			full = append(full, k)
			rel = append(rel, k[len(p)+1:])
		}
	}
	return full, rel
}

// ctLs is consul-template's ls: direct children that are leaves.
func (s *store) ctLs(prefix string) []*KeyPair {
	res := []*KeyPair{}
	full, rel := s.under(prefix)
	for i := range full {
		if rel[i] != "" && !strings.Contains(rel[i], "/") {
			res = append(res, &KeyPair{Path: full[i], Key: rel[i],
				Value: s.kv[full[i]]})
		}
	}
	return res
}

// ctTree is consul-template's tree: every key below prefix.
func (s *store) ctTree(prefix string) []*KeyPair {
	res := []*KeyPair{}
	full, rel := s.under(prefix)
	for i := range full {
		if rel[i] != "" && !strings.HasSuffix(rel[i], "/") {
			res = append(res, &KeyPair{Path: full[i], Key: rel[i],
				Value: s.kv[full[i]]})
		}
	}
	return res
}

// errNotExist is confd's error for a missing key.
func errNotExist(k string) error {
	return fmt.Errorf("key does not exist: %s", k)
}

// confdGets is confd's gets: pairs whose full key matches a path.Match
// pattern, sorted by key.
func (s *store) confdGets(pattern string) ([]KVPair, error) {
	res := []KVPair{}
	pat := "/" + norm(pattern)
	for _, k := range s.keys {
		ok, err := path.Match(pat, "/"+k)
		if err != nil {
			return nil, err
		}
		if ok {
			res = append(res, KVPair{Key: "/" + k, Value: s.kv[k]})
		}
	}
	return res, nil
}

// confdLs is confd's ls (dir=false) and lsdir (dir=true): the names one
// level below a directory.
func (s *store) confdLs(dir string, onlyDirs bool) []string {
	p := strings.Trim(dir, "/")
	seen := map[string]bool{}
	for _, k := range s.keys {
		rest := ""
		if p == "" {
			rest = k
		} else if k == p {
			if !onlyDirs {
				seen[path.Base(k)] = true
			}
			continue
		} else if strings.HasPrefix(k, p+"/") {
			rest = k[len(p)+1:]
		} else {
			continue
		}
		parts := strings.SplitN(rest, "/", 2)
		if onlyDirs && len(parts) < 2 {
			continue
		}
		seen[parts[0]] = true
	}
	res := []string{}
	for n := range seen {
		res = append(res, n)
	}
	sort.Strings(res)
	return res
}

// in is consul-template's membership test over a list or a string.
func in(l, v interface{}) (bool, error) {
	lv := reflect.ValueOf(l)
	vv := reflect.ValueOf(v)
	switch lv.Kind() {
	case reflect.Array, reflect.Slice:
		for i := 0; i < lv.Len(); i++ {
			e := lv.Index(i)
			if e.Kind() == reflect.Interface {
				e = e.Elem()
			}
			switch e.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16,
				reflect.Int32, reflect.Int64:
				switch vv.Kind() {
				case reflect.Int, reflect.Int8, reflect.Int16,
					reflect.Int32, reflect.Int64:
					if vv.Int() == e.Int() {
						return true, nil
					}
				}
			case reflect.Float32, reflect.Float64:
				switch vv.Kind() {
				case reflect.Float32, reflect.Float64:
					if vv.Float() == e.Float() {
						return true, nil
					}
				}
			case reflect.String:
				if vv.IsValid() && vv.Type() == e.Type() &&
					vv.String() == e.String() {
					return true, nil
				}
			}
		}
	case reflect.String:
		if vv.IsValid() && vv.Type() == lv.Type() &&
			strings.Contains(lv.String(), vv.String()) {
			return true, nil
		}
	}
	return false, nil
}

// containsSome builds containsAll/Any/None/NotAll.
func containsSome(retTrue, invert bool) func([]interface{}, interface{}) (bool, error) {
	return func(v []interface{}, l interface{}) (bool, error) {
		for i := range v {
			if ok, _ := in(l, v[i]); ok != invert {
				return !retTrue, nil
			}
		}
		return retTrue, nil
	}
}

// explodeInto nests one pair into m.
func explodeInto(m map[string]interface{}, k string, v interface{}, p string) error {
	if strings.Contains(k, "/") {
		parts := strings.SplitN(k, "/", 2)
		if _, ok := m[parts[0]]; !ok {
			m[parts[0]] = map[string]interface{}{}
		}
		nest, ok := m[parts[0]].(map[string]interface{})
		if !ok {
			return fmt.Errorf("not a map: %q: %q already has value %q",
				p, parts[0], m[parts[0]])
		}
		return explodeInto(nest, parts[1], v, k)
	}
	if k != "" {
		m[k] = v
	}
	return nil
}

// numKind classifies a value for consul-template arithmetic.
func numKind(v reflect.Value) byte {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32,
		reflect.Int64:
		return 'i'
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32,
		reflect.Uint64, reflect.Uintptr:
		return 'u'
	case reflect.Float32, reflect.Float64:
		return 'f'
	}
	return 0
}

// arith implements consul-template's add subtract multiply divide modulo
// minimum maximum: the piped value is the left operand (a), the argument
// the right one (b).
func arith(name string, op byte) func(b, a interface{}) (interface{}, error) {
	return func(b, a interface{}) (interface{}, error) {
		av, bv := reflect.ValueOf(a), reflect.ValueOf(b)
		ak, bk := numKind(av), numKind(bv)
		if ak == 0 {
			return nil, fmt.Errorf("%s: unknown type for %q (%T)",
				name, av, a)
		}
		if bk == 0 {
			return nil, fmt.Errorf("%s: unknown type for %q (%T)",
				name, bv, b)
		}
		if ak == 'f' || bk == 'f' {
			if op == '%' {
				return nil, fmt.Errorf("%s: unknown type for %q (%T)",
					name, bv, b)
			}
			x, y := toF(av), toF(bv)
			switch op {
			case '+':
				return x + y, nil
			case '-':
				return x - y, nil
			case '*':
				return x * y, nil
			case '/':
				return x / y, nil
			case '<':
				if x < y {
					return keep(av), nil
				}
				return keep(bv), nil
			case '>':
				if x > y {
					return keep(av), nil
				}
				return keep(bv), nil
			}
		}
		if ak == 'u' && bk == 'u' {
			x, y := av.Uint(), bv.Uint()
			switch op {
			case '+':
				return x + y, nil
			case '-':
				return x - y, nil
			case '*':
				return x * y, nil
			case '/':
				return x / y, nil
			case '%':
				return x % y, nil
			case '<':
				if x < y {
					return x, nil
				}
				return y, nil
			case '>':
				if x > y {
					return x, nil
				}
				return y, nil
			}
		}
		x, y := toI(av), toI(bv)
		switch op {
		case '+':
			return x + y, nil
		case '-':
			return x - y, nil
		case '*':
			return x * y, nil
		case '/':
			return x / y, nil
		case '%':
			return x % y, nil
		case '<':
			if x < y {
				return keep(av), nil
			}
			return keep(bv), nil
		case '>':
			if x > y {
				return keep(av), nil
			}
			return keep(bv), nil
		}
		return nil, errors.New("bad operator")
	}
}

// toF converts a number to float64.
func toF(v reflect.Value) float64 {
	switch numKind(v) {
	case 'i':
		return float64(v.Int())
	case 'u':
		return float64(v.Uint())
	}
	return v.Float()
}

// toI converts an integer to int64.
func toI(v reflect.Value) int64 {
	if numKind(v) == 'u' {
		return int64(v.Uint())
	}
	return v.Int()
}

// keep returns a number widened as consul-template returns it.
func keep(v reflect.Value) interface{} {
	switch numKind(v) {
	case 'i':
		return v.Int()
	case 'u':
		return v.Uint()
	}
	return v.Float()
}

// indent prefixes every non-empty line start with n spaces.
func indent(n int, s string) (string, error) {
	if n < 0 {
		return "", errors.New("indent value must be a positive integer")
	}
	var out []byte
	pre := []byte(strings.Repeat(" ", n))
	sp := true
	for _, c := range []byte(s) {
		if sp && c != '\n' {
			out = append(out, pre...)
		}
		out = append(out, c)
		sp = c == '\n'
	}
	return string(out), nil
}

// toTitle upper-cases the first letter of every word and leaves the rest as
// it is, like consul-template's cases.Title(language.Und, cases.NoLower):
// words are runs of letters, digits and '_', and an apostrophe between two
// letters stays inside its word ("o'neil" -> "O'neil"). golang.org/x/text
// is not in the standard library; this covers the corpus's inputs.
func toTitle(s string) string {
	rs := []rune(s)
	word := func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
	}
	in := false
	for i, r := range rs {
		switch {
		case word(r):
			if !in {
				rs[i] = unicode.ToTitle(r)
			}
			in = true
		case (r == '\'' || r == '\u2019') && in && i+1 < len(rs) &&
			unicode.IsLetter(rs[i+1]):
			// stays in the word
		default:
			in = false
		}
	}
	return string(rs)
}

// wrap prefixes an error like consul-template's errors.Wrap.
func wrap(err error, what string) error {
	return fmt.Errorf("%s: %v", what, err)
}

// consulFuncs is the consul-template function map.
func consulFuncs(s *store, env map[string]string) template.FuncMap {
	return template.FuncMap{
		"key": func(k string) (string, error) {
			v, _ := s.get(k)
			return v, nil
		},
		"keyOrDefault": func(k, def string) (string, error) {
			v, ok := s.get(k)
			if !ok || v == "" {
				return def, nil
			}
			return v, nil
		},
		"keyExists": func(k string) (bool, error) {
			_, ok := s.get(k)
			return ok && norm(k) != "", nil
		},
		"ls":       func(p string) ([]*KeyPair, error) { return s.ctLs(p), nil },
		"safeLs":   func(p string) ([]*KeyPair, error) { return s.ctLs(p), nil },
		"tree":     func(p string) ([]*KeyPair, error) { return s.ctTree(p), nil },
		"safeTree": func(p string) ([]*KeyPair, error) { return s.ctTree(p), nil },
		"env": func(k string) (string, error) {
			return env[k], nil
		},
		"envOrDefault": func(k, def string) (string, error) {
			if v, ok := env[k]; ok {
				return v, nil
			}
			return def, nil
		},
		"mustEnv": func(k string) (string, error) {
			if env[k] == "" {
				return "", fmt.Errorf("required environment variable %s is empty", k)
			}
			return env[k], nil
		},
		"base64Decode": func(v string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return "", wrap(err, "base64Decode")
			}
			return string(b), nil
		},
		"base64Encode": func(v string) (string, error) {
			return base64.StdEncoding.EncodeToString([]byte(v)), nil
		},
		"base64URLDecode": func(v string) (string, error) {
			b, err := base64.URLEncoding.DecodeString(v)
			if err != nil {
				return "", wrap(err, "base64URLDecode")
			}
			return string(b), nil
		},
		"base64URLEncode": func(v string) (string, error) {
			return base64.URLEncoding.EncodeToString([]byte(v)), nil
		},
		"byKey": func(pairs []*KeyPair) (map[string]map[string]*KeyPair, error) {
			m := map[string]map[string]*KeyPair{}
			for _, p := range pairs {
				parts := strings.Split(p.Key, "/")
				k := strings.Join(parts[1:], "/")
				if k == "" {
					continue
				}
				if m[parts[0]] == nil {
					m[parts[0]] = map[string]*KeyPair{}
				}
				np := *p
				np.Key = k
				m[parts[0]][k] = &np
			}
			return m, nil
		},
		"contains":       func(v, l interface{}) (bool, error) { return in(l, v) },
		"containsAll":    containsSome(true, true),
		"containsAny":    containsSome(false, false),
		"containsNone":   containsSome(true, false),
		"containsNotAll": containsSome(false, true),
		"explode": func(pairs []*KeyPair) (map[string]interface{}, error) {
			m := map[string]interface{}{}
			for _, p := range pairs {
				if err := explodeInto(m, p.Key, p.Value, p.Key); err != nil {
					return nil, wrap(err, "explode")
				}
			}
			return m, nil
		},
		"in":     in,
		"indent": indent,
		"join": func(sep string, a []string) (string, error) {
			return strings.Join(a, sep), nil
		},
		"trimSpace": func(v string) (string, error) {
			return strings.TrimSpace(v), nil
		},
		"trimPrefix": func(p, v string) (string, error) {
			return strings.TrimPrefix(v, p), nil
		},
		"trimSuffix": func(p, v string) (string, error) {
			return strings.TrimSuffix(v, p), nil
		},
		"parseBool": func(v string) (bool, error) {
			if v == "" {
				return false, nil
			}
			b, err := strconv.ParseBool(v)
			if err != nil {
				return false, wrap(err, "parseBool")
			}
			return b, nil
		},
		"parseFloat": func(v string) (float64, error) {
			if v == "" {
				return 0, nil
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, wrap(err, "parseFloat")
			}
			return f, nil
		},
		"parseInt": func(v string) (int64, error) {
			if v == "" {
				return 0, nil
			}
			i, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, wrap(err, "parseInt")
			}
			return i, nil
		},
		"parseUint": func(v string) (uint64, error) {
			if v == "" {
				return 0, nil
			}
			i, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return 0, wrap(err, "parseUint")
			}
			return i, nil
		},
		"parseJSON": func(v string) (interface{}, error) {
			if v == "" {
				return map[string]interface{}{}, nil
			}
			var d interface{}
			if err := json.Unmarshal([]byte(v), &d); err != nil {
				return nil, err
			}
			return d, nil
		},
		"regexMatch": func(re, v string) (bool, error) {
			c, err := regexp.Compile(re)
			if err != nil {
				return false, err
			}
			return c.MatchString(v), nil
		},
		"regexReplaceAll": func(re, repl, v string) (string, error) {
			c, err := regexp.Compile(re)
			if err != nil {
				return "", err
			}
			return c.ReplaceAllString(v, repl), nil
		},
		"replaceAll": func(from, to, v string) (string, error) {
			return strings.Replace(v, from, to, -1), nil
		},
		"sha256Hex": func(v string) (string, error) {
			h := sha256.Sum256([]byte(v))
			return hex.EncodeToString(h[:]), nil
		},
		"md5sum": func(v string) (string, error) {
			return fmt.Sprintf("%x", md5.Sum([]byte(v))), nil
		},
		"split": func(sep, v string) ([]string, error) {
			v = strings.TrimSpace(v)
			if v == "" {
				return []string{}, nil
			}
			return strings.Split(v, sep), nil
		},
		"toJSON": func(v interface{}) (string, error) {
			b, err := json.Marshal(v)
			if err != nil {
				return "", wrap(err, "toJSON")
			}
			return string(bytes.TrimSpace(b)), nil
		},
		"toJSONPretty": func(v interface{}) (string, error) {
			b, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				return "", wrap(err, "toJSONPretty")
			}
			return string(bytes.TrimSpace(b)), nil
		},
		"toLower":  func(v string) (string, error) { return strings.ToLower(v), nil },
		"toUpper":  func(v string) (string, error) { return strings.ToUpper(v), nil },
		"toTitle":  func(v string) (string, error) { return toTitle(v), nil },
		"add":      arith("add", '+'),
		"subtract": arith("subtract", '-'),
		"multiply": arith("multiply", '*'),
		"divide":   arith("divide", '/'),
		"modulo":   arith("modulo", '%'),
		"minimum":  arith("minimum", '<'),
		"maximum":  arith("maximum", '>'),
	}
}

// confdReverse reverses a []string or []KVPair in place, as confd does.
func confdReverse(values interface{}) interface{} {
	switch v := values.(type) {
	case []string:
		for l, r := 0, len(v)-1; l < r; l, r = l+1, r-1 {
			v[l], v[r] = v[r], v[l]
		}
	case []KVPair:
		for l, r := 0, len(v)-1; l < r; l, r = l+1, r-1 {
			v[l], v[r] = v[r], v[l]
		}
	}
	return values
}

// confdFuncs is the confd function map.
func confdFuncs(s *store, env map[string]string) template.FuncMap {
	return template.FuncMap{
		"getv": func(k string, def ...string) (string, error) {
			v, ok := s.get(k)
			if !ok {
				if len(def) > 0 {
					return def[0], nil
				}
				return "", errNotExist(k)
			}
			return v, nil
		},
		"getvs": func(pattern string) ([]string, error) {
			pairs, err := s.confdGets(pattern)
			if err != nil {
				return nil, err
			}
			vs := []string{}
			for _, p := range pairs {
				vs = append(vs, p.Value)
			}
			sort.Strings(vs)
			return vs, nil
		},
		"get": func(k string) (KVPair, error) {
			v, ok := s.get(k)
			if !ok {
				return KVPair{Key: k}, errNotExist(k)
			}
			return KVPair{Key: "/" + norm(k), Value: v}, nil
		},
		"gets":   s.confdGets,
		"ls":     func(d string) []string { return s.confdLs(d, false) },
		"lsdir":  func(d string) []string { return s.confdLs(d, true) },
		"exists": func(k string) bool { _, ok := s.get(k); return ok },
		"json": func(v string) (map[string]interface{}, error) {
			var r map[string]interface{}
			err := json.Unmarshal([]byte(v), &r)
			return r, err
		},
		"jsonArray": func(v string) ([]interface{}, error) {
			var r []interface{}
			err := json.Unmarshal([]byte(v), &r)
			return r, err
		},
		"base":  path.Base,
		"dir":   path.Dir,
		"split": strings.Split,
		"join":  strings.Join,
		"map": func(values ...interface{}) (map[string]interface{}, error) {
			if len(values)%2 != 0 {
				return nil, errors.New("invalid map call")
			}
			m := map[string]interface{}{}
			for i := 0; i < len(values); i += 2 {
				k, ok := values[i].(string)
				if !ok {
					return nil, errors.New("map keys must be strings")
				}
				m[k] = values[i+1]
			}
			return m, nil
		},
		"getenv": func(k string, def ...string) string {
			if v := env[k]; v != "" {
				return v
			}
			if len(def) > 0 {
				return def[0]
			}
			return ""
		},
		"toUpper":    strings.ToUpper,
		"toLower":    strings.ToLower,
		"contains":   strings.Contains,
		"replace":    strings.Replace,
		"trimSuffix": strings.TrimSuffix,
		"fileExists": func(p string) bool {
			_, err := os.Stat(p)
			return err == nil
		},
		"base64Encode": func(v string) string {
			return base64.StdEncoding.EncodeToString([]byte(v))
		},
		"base64Decode": func(v string) (string, error) {
			b, err := base64.StdEncoding.DecodeString(v)
			return string(b), err
		},
		"parseBool": strconv.ParseBool,
		"reverse":   confdReverse,
		"sortByLength": func(v []string) []string {
			sort.Slice(v, func(i, j int) bool { return len(v[i]) < len(v[j]) })
			return v
		},
		"sortKVByLength": func(v []KVPair) []KVPair {
			sort.Slice(v, func(i, j int) bool {
				return len(v[i].Key) < len(v[j].Key)
			})
			return v
		},
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		"div": func(a, b int) int { return a / b },
		"mod": func(a, b int) int { return a % b },
		"mul": func(a, b int) int { return a * b },
		"seq": func(first, last int) []int {
			var r []int
			for i := first; i <= last; i++ {
				r = append(r, i)
			}
			return r
		},
		"atoi": strconv.Atoi,
	}
}

// dockerizeFuncs is the dockerize function map.
func dockerizeFuncs() template.FuncMap {
	return template.FuncMap{
		"contains": func(m map[string]string, k string) bool {
			_, ok := m[k]
			return ok
		},
		"exists": func(p string) (bool, error) {
			_, err := os.Stat(p)
			if err == nil {
				return true, nil
			}
			if errors.Is(err, os.ErrNotExist) {
				return false, nil
			}
			return false, err
		},
		"split":   strings.Split,
		"replace": strings.Replace,
		"default": func(args ...interface{}) (string, error) {
			if len(args) == 0 {
				return "", errors.New("default called with no values")
			}
			if s, ok := args[0].(string); ok && args[0] != nil {
				return s, nil
			}
			if len(args) > 1 {
				if s, ok := args[1].(string); ok {
					return s, nil
				}
				return "", errors.New("default is not a string value")
			}
			return "", errors.New("default called with no default value")
		},
		"parseUrl": func(raw string) (*url.URL, error) {
			return url.Parse(raw)
		},
		"atoi":   strconv.Atoi,
		"add":    func(a, b int) int { return a + b },
		"isTrue": isTrue,
		"lower":  strings.ToLower,
		"upper":  strings.ToUpper,
	}
}

// isTrue is dockerize's lenient boolean.
func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on":
		return true
	}
	b, err := strconv.ParseBool(strings.ToLower(s))
	return err == nil && b
}

// convert turns json.Number into int (integer literals) or float64, so that
// the data has the int/real split of jansson.
func convert(v interface{}) interface{} {
	switch t := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return int(i)
		}
		f, _ := t.Float64()
		return f
	case map[string]interface{}:
		for k, e := range t {
			t[k] = convert(e)
		}
	case []interface{}:
		for i, e := range t {
			t[i] = convert(e)
		}
	}
	return v
}

// load reads the data file.
func load(name string) (*data, error) {
	raw, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	d := &data{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if d.Dialect == "" {
		d.Dialect = "consul-template"
	}
	if d.Missing == "" {
		d.Missing = "default"
	}
	if d.KV == nil {
		d.KV = map[string]string{}
	}
	if d.Env == nil {
		d.Env = map[string]string{}
	}
	if d.Fields == nil {
		d.Fields = map[string]interface{}{}
	}
	convert(d.Fields)
	return d, nil
}

// run renders the template and returns the output.
func run(tmplFile, dataFile string) ([]byte, error) {
	d, err := load(dataFile)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(tmplFile)
	if err != nil {
		return nil, err
	}
	s := &store{kv: map[string]string{}}
	for k, v := range d.KV {
		s.kv[norm(k)] = v
	}
	for k := range s.kv {
		s.keys = append(s.keys, k)
	}
	sort.Strings(s.keys)

	root := map[string]interface{}{}
	for k, v := range d.Fields {
		root[k] = v
	}
	var funcs template.FuncMap
	switch d.Dialect {
	case "consul-template":
		funcs = consulFuncs(s, d.Env)
	case "confd":
		funcs = confdFuncs(s, d.Env)
	case "dockerize":
		funcs = dockerizeFuncs()
		root["Env"] = d.Env
	default:
		return nil, fmt.Errorf("unknown dialect %q", d.Dialect)
	}
	t := template.New(filepath.Base(tmplFile)).Funcs(funcs)
	switch d.Missing {
	case "default":
	case "error":
		t = t.Option("missingkey=error")
	default:
		return nil, fmt.Errorf("unknown missing mode %q", d.Missing)
	}
	if len(d.Delims) == 2 {
		t = t.Delims(d.Delims[0], d.Delims[1])
	} else if len(d.Delims) != 0 {
		return nil, errors.New("delims needs two strings")
	}
	t, err = t.Parse(string(src))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, root); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// batch renders a whole corpus directory into outDir.
func batch(corpus, outDir string) error {
	tmpls, err := filepath.Glob(filepath.Join(corpus, "*.tmpl"))
	if err != nil {
		return err
	}
	for _, t := range tmpls {
		name := strings.TrimSuffix(filepath.Base(t), ".tmpl")
		d := filepath.Join(corpus, name+".json")
		if _, err := os.Stat(d); err != nil {
			d = filepath.Join(corpus, "default.json")
		}
		out, rerr := run(t, d)
		msg, rc := "", "0"
		if rerr != nil {
			out, msg, rc = nil, rerr.Error()+"\n", "1"
		}
		base := filepath.Join(outDir, name)
		if err := os.WriteFile(base+".go", out, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".go.err", []byte(msg), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".go.rc", []byte(rc+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// readRC reads an exit status file; -1 when it is missing or bad.
func readRC(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// errPos returns the first "NAME:LINE" or "NAME:LINE:COL" position of an
// error message as line and column ("" when absent).
func errPos(msg []byte, name string) (string, string) {
	re := regexp.MustCompile(regexp.QuoteMeta(name) + `:([0-9]+)(:([0-9]+))?`)
	if m := re.FindSubmatch(msg); m != nil {
		return string(m[1]), string(m[3])
	}
	return "", ""
}

// verdict compares one case's Go and confinit results; "" is a pass.
func verdict(outDir, name string) string {
	base := filepath.Join(outDir, name)
	grc, crc := readRC(base+".go.rc"), readRC(base+".c.rc")
	gout, _ := os.ReadFile(base + ".go")
	cout, _ := os.ReadFile(base + ".c")
	gerr, _ := os.ReadFile(base + ".go.err")
	cerr, _ := os.ReadFile(base + ".c.err")
	switch {
	case grc != 0 && grc != 1:
		return "gorender did not run the case"
	case crc == 99:
		return "confinit: sanitizer report (ASan/UBSan/LSan), see .c.err"
	case crc == 142:
		return "confinit hangs (killed after 10 s)"
	case crc > 128:
		return fmt.Sprintf("confinit crashes (signal %d)", crc-128)
	case crc != 0 && crc != 1:
		return fmt.Sprintf("crender exit %d (bad data or no result)", crc)
	case grc == 0 && crc == 0:
		if !bytes.Equal(gout, cout) {
			return "output differs"
		}
	case grc == 1 && crc == 1:
		gl, gc := errPos(gerr, name+".tmpl")
		cl, cc := errPos(cerr, name+".tmpl")
		switch {
		case gl != "" && cl == "":
			return "confinit's error names no " + name + ".tmpl:LINE"
		case gl != cl:
			return "error on line " + cl + ", Go says line " + gl
		case gc != "" && gc != cc:
			return "error at " + cl + ":" + cc + ", Go says " +
				gl + ":" + gc
		}
	case grc == 1:
		return "Go fails, confinit renders"
	default:
		return "confinit fails, Go renders"
	}
	return ""
}

// compare prints the verdict of every case of the corpus.
func compare(corpus, outDir string) error {
	tmpls, err := filepath.Glob(filepath.Join(corpus, "*.tmpl"))
	if err != nil {
		return err
	}
	for _, t := range tmpls {
		name := strings.TrimSuffix(filepath.Base(t), ".tmpl")
		if why := verdict(outDir, name); why != "" {
			fmt.Printf("FAIL %s\t%s\n", name, why)
		} else {
			fmt.Printf("PASS %s\n", name)
		}
	}
	return nil
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "-compare" {
		if err := compare(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	if len(os.Args) == 4 && os.Args[1] == "-batch" {
		if err := batch(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		return
	}
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gorender TEMPLATE DATA.json")
		os.Exit(2)
	}
	out, err := run(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
