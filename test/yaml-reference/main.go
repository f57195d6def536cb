// yaml-reference prints how Kubernetes reads a manifest file: one line of canonical JSON (keys sorted,
// numbers as written by the decoder) per document, "null" for an empty one. It reads the way kubectl
// does: the file through a UTF-16/UTF-8 BOM override (cli-runtime's FileVisitor), then
// k8s.io/apimachinery's YAMLOrJSONDecoder (a JSON stream when the text starts with '{', else YAML
// documents split at "---" lines, each converted by sigs.k8s.io/yaml with go-yaml v2's YAML 1.1 rules).
// The test suite holds fix's output against it; it is not part of the product.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yaml-reference FILE|-")
		os.Exit(2)
	}
	var in io.Reader = os.Stdin
	if os.Args[1] != "-" {
		f, err := os.Open(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(2)
		}
		defer f.Close()
		in = f
	}
	reader := transform.NewReader(in, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
	decoder := utilyaml.NewYAMLOrJSONDecoder(reader, 4096)
	out := bufioWriter()
	for {
		var raw json.RawMessage
		err := decoder.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		canonical, err := canonicalize(raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, "error:", err)
			os.Exit(1)
		}
		out.Write(canonical)
		out.WriteByte('\n')
	}
	os.Stdout.Write(out.Bytes())
}

func bufioWriter() *bytes.Buffer { return &bytes.Buffer{} }

// canonicalize re-encodes one document with sorted keys, keeping every number's digits exactly.
func canonicalize(raw json.RawMessage) ([]byte, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return []byte("null"), nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v interface{}
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
