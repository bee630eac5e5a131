package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// output renders a verb's result: JSON with --json, otherwise aligned
// "Key: value" lines for one object or a table for a list.
type output struct {
	w    io.Writer
	json bool
}

// result prints v as indented JSON, or calls human to print it for people.
func (o *output) result(v any, human func(t *text)) error {
	if o.json {
		enc := json.NewEncoder(o.w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	t := &text{w: o.w}
	human(t)
	return t.err
}

// done reports a call that returns nothing (delete, attach…): one line for
// people, nothing with --json, where an empty output is the result.
func (o *output) done(format string, a ...any) error {
	if o.json {
		return nil
	}
	_, err := fmt.Fprintf(o.w, format+"\n", a...)
	return err
}

// text writes human output, remembering the first write error.
type text struct {
	w   io.Writer
	err error
}

// fields prints key/value pairs with the values aligned, skipping empty
// values. kv alternates keys and values.
func (t *text) fields(kv ...string) {
	if t.err != nil {
		return
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 1, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
	}
	t.err = tw.Flush()
}

// table prints a header and rows as aligned columns.
func (t *text) table(header []string, rows [][]string) {
	if t.err != nil {
		return
	}
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			if c == "" {
				c = "-"
			}
			cells[i] = c
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	t.err = tw.Flush()
}

// line prints one line as is.
func (t *text) line(s string) {
	if t.err != nil {
		return
	}
	_, t.err = fmt.Fprintln(t.w, s)
}

// Helpers that turn optional values into display strings ("" = not shown).

func optUint(p *uint32) string {
	if p == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*p), 10)
}

func optBool(p *bool) string {
	if p == nil {
		return ""
	}
	return strconv.FormatBool(*p)
}

// list joins names for one "Key: a, b" line; "" when there are none.
func list(names []string) string { return strings.Join(names, ", ") }

func itoa(n int) string { return strconv.Itoa(n) }
