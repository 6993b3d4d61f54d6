// helm-render renders a Helm chart's templates the way `helm template` does, for tests on machines
// without a helm binary (none exists in npm or Debian). It uses the same engine Helm uses: Go's
// text/template with Sprig's functions, plus Helm's own additions, following helm/pkg/engine:
//
//   - every file under templates/ is parsed into one template set, named <chart>/templates/<path>;
//     files whose name starts with "_" are partials (defined, never output);
//   - missingkey=zero, and "<no value>" removed from the output;
//   - functions: Sprig's TxtFuncMap without env/expandenv, and toYaml, fromYaml, toJson, fromJson,
//     include, tpl, required, lookup (always empty, as in `helm template`);
//   - the data: .Values, .Chart (Chart.yaml, Go field names), .Release, .Capabilities, .Template.
//
// What it leaves to its caller (deploy/test/helm.ts): merging values over values.yaml and checking
// them against values.schema.json, and reading the YAML it prints. Numbers arrive as JSON, so they
// are float64 here exactly as in Helm (which reads values through JSON too).
//
// Input (stdin, JSON): {"chartDir", "chart", "values", "release", "capabilities"}.
// Output (stdout, JSON): {"manifests": {"<name>": "<text>"}} or {"error": "<message>"} with exit 1.
//
// Build offline from Debian's packages (golang-go, golang-github-masterminds-sprig-dev,
// golang-gopkg-yaml.v2-dev): GO111MODULE=off GOPATH=/usr/share/gocode go build -o helm-render main.go
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	yaml "gopkg.in/yaml.v2"
)

// Metadata is the part of Chart.yaml templates read, with Helm's Go field names (.Chart.AppVersion).
type Metadata struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	AppVersion  string   `json:"appVersion"`
	Description string   `json:"description"`
	Type        string   `json:"type"`
	KubeVersion string   `json:"kubeVersion"`
	APIVersion  string   `json:"apiVersion"`
	Home        string   `json:"home"`
	Keywords    []string `json:"keywords"`
}

type input struct {
	ChartDir     string                 `json:"chartDir"`
	Chart        Metadata               `json:"chart"`
	Values       map[string]interface{} `json:"values"`
	Release      map[string]interface{} `json:"release"`
	Capabilities map[string]interface{} `json:"capabilities"`
}

const warnStart, warnEnd = "HELM_ERR_START", "HELM_ERR_END"

var warnRegex = regexp.MustCompile(warnStart + `(.*)` + warnEnd)

// toYAML marshals as sigs.k8s.io/yaml does: through JSON, then YAML with sorted keys.
func toYAML(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic interface{}
	if err := yaml.Unmarshal(j, &generic); err != nil {
		return ""
	}
	out, err := yaml.Marshal(generic)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(out), "\n")
}

// fromYAML reads YAML into JSON-shaped maps (string keys, float64 numbers), as Helm does.
func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	var raw interface{}
	if err := yaml.Unmarshal([]byte(s), &raw); err != nil {
		m["Error"] = err.Error()
		return m
	}
	j, err := json.Marshal(jsonable(raw))
	if err == nil {
		err = json.Unmarshal(j, &m)
	}
	if err != nil {
		m["Error"] = err.Error()
	}
	return m
}

// jsonable turns yaml.v2's map[interface{}]interface{} into map[string]interface{}.
func jsonable(v interface{}) interface{} {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		m := make(map[string]interface{}, len(x))
		for k, val := range x {
			m[fmt.Sprint(k)] = jsonable(val)
		}
		return m
	case []interface{}:
		for i := range x {
			x[i] = jsonable(x[i])
		}
	}
	return v
}

func toJSON(v interface{}) string {
	j, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(j)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func funcMap(t *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = toYAML
	f["fromYaml"] = fromYAML
	f["toJson"] = toJSON
	f["fromJson"] = fromJSON
	f["lookup"] = func(string, string, string, string) (map[string]interface{}, error) { return map[string]interface{}{}, nil }
	depth := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > 1000 {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	f["tpl"] = func(text string, vals map[string]interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		name := "tpl"
		if tm, ok := vals["Template"].(map[string]interface{}); ok {
			name = fmt.Sprint(tm["Name"])
		}
		tt, err := clone.New(name).Parse(text)
		if err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		var b strings.Builder
		if err := tt.Execute(&b, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %v", text, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
	f["required"] = func(warn string, val interface{}) (interface{}, error) {
		if val == nil {
			return val, fmt.Errorf("%s%s%s", warnStart, warn, warnEnd)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, fmt.Errorf("%s%s%s", warnStart, warn, warnEnd)
		}
		return val, nil
	}
	return f
}

// cleanExecError shortens Go's error chain the way Helm does for `required`; others pass through.
func cleanExecError(name string, err error) error {
	if _, ok := err.(template.ExecError); !ok {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %s", name, err)
	}
	if parts := warnRegex.FindStringSubmatch(tokens[2]); len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], parts[1])
	}
	return err
}

func render(in input) (map[string]string, error) {
	root := filepath.Join(in.ChartDir, "templates")
	files := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		files[path.Join(in.Chart.Name, "templates", filepath.ToSlash(rel))] = string(data)
		return err
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	t := template.New("gotpl").Option("missingkey=zero")
	t.Funcs(funcMap(t))
	for _, n := range names {
		if _, err := t.New(n).Parse(files[n]); err != nil {
			return nil, fmt.Errorf("parse error in (%s): %v", n, err)
		}
	}
	out := map[string]string{}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		data := map[string]interface{}{
			"Values":       in.Values,
			"Chart":        &in.Chart,
			"Release":      in.Release,
			"Capabilities": in.Capabilities,
			"Files":        map[string]interface{}{},
			"Template":     map[string]interface{}{"Name": n, "BasePath": path.Join(in.Chart.Name, "templates")},
		}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, n, data); err != nil {
			return nil, cleanExecError(n, err)
		}
		out[n] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}

func main() {
	enc := json.NewEncoder(os.Stdout)
	fail := func(err error) {
		_ = enc.Encode(map[string]string{"error": err.Error()})
		os.Exit(1)
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fail(fmt.Errorf("bad input: %v", err))
	}
	manifests, err := render(in)
	if err != nil {
		fail(err)
	}
	_ = enc.Encode(map[string]interface{}{"manifests": manifests})
}
