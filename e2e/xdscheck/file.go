package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"sigs.k8s.io/yaml"
)

// loadFile reads (as JSON or YAML) either { listeners, routes, clusters, endpoints, secrets }
// of proto3 JSON resources (with or without "@type"), or the CLI's translate
// output { fleets: { "ns/name": { listeners, ... } } }.
func loadFile(path string) ([]namedSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// JSON is YAML too; `switchyard translate` prints YAML by default.
	if data, err = yaml.YAMLToJSON(data); err != nil {
		return nil, fmt.Errorf("%s: not JSON or YAML: %v", path, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", path, err)
	}
	if raw, ok := top["fleets"]; ok {
		var fleets map[string]map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fleets); err != nil {
			return nil, fmt.Errorf("%s: fleets: %v", path, err)
		}
		names := make([]string, 0, len(fleets))
		for n := range fleets {
			names = append(names, n)
		}
		sort.Strings(names)
		var out []namedSet
		for _, n := range names {
			out = append(out, decodeDocument(n, fleets[n]))
		}
		return out, nil
	}
	return []namedSet{decodeDocument("", top)}, nil
}

func decodeDocument(name string, doc map[string]json.RawMessage) namedSet {
	ns := namedSet{name: name, set: newResourceSet()}
	for _, typ := range allTypes {
		raw, ok := doc[shortNames[typ]]
		if !ok {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			ns.decodeProblems = append(ns.decodeProblems, fmt.Sprintf("%s: not a list: %v", shortNames[typ], err))
			continue
		}
		for i, item := range items {
			m, err := decodeJSON(typ, item)
			if err != nil {
				ns.decodeProblems = append(ns.decodeProblems, fmt.Sprintf("%s[%d]: %v", shortNames[typ], i, err))
				continue
			}
			add(&ns, typ, m)
		}
	}
	return ns
}

func add(ns *namedSet, typ string, m proto.Message) {
	n := nameOf(m)
	if n == "" {
		ns.decodeProblems = append(ns.decodeProblems, fmt.Sprintf("a %s has no name", shortNames[typ]))
		return
	}
	if _, dup := ns.set[typ][n]; dup {
		ns.decodeProblems = append(ns.decodeProblems, fmt.Sprintf("duplicate %s name %q", shortNames[typ], n))
	}
	ns.set[typ][n] = m
}

func decodeJSON(typ string, item json.RawMessage) (proto.Message, error) {
	var probe struct {
		Type string `json:"@type"`
	}
	_ = json.Unmarshal(item, &probe)
	if probe.Type != "" {
		if probe.Type != typ {
			return nil, fmt.Errorf("@type %s in the %s list", probe.Type, shortNames[typ])
		}
		a := &anypb.Any{}
		if err := protojson.Unmarshal(item, a); err != nil {
			return nil, err
		}
		return a.UnmarshalNew()
	}
	m := newOf(typ)
	if err := protojson.Unmarshal(item, m); err != nil {
		return nil, err
	}
	return m, nil
}
