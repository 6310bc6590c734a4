// SPDX-License-Identifier: Apache-2.0

package workflow

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusUnsupported lists the corpus workflows that use action or trigger
// types Junction does not have, with every error they must report.
var corpusUnsupported = map[string][]string{
	"la-rosettanet-encode-response.json": {
		"$.actions.Until.actions.RosettaNet_Encode.type WF1003",
		"$.actions.Until.actions.RosettaNet_wait_for_response.type WF1003",
	},
	"la-veter.json": {
		"$.actions.Condition.actions.Transform_XML.type WF1003",
		"$.actions.Flat_File_Decoding.type WF1003",
		"$.actions.XML_Validation.type WF1003",
	},
	"la-x12-to-as2.json": {
		"$.actions.For_each_Good_Message.actions.Transform_XML.type WF1003",
	},
	"lat-business-process-tracking-alerts.json": {
		"$.actions.Scope-Try.actions.Condition.actions.For_each.actions.Transform_using_Data_Mapper_XSLT.type WF1003",
	},
	"lat-ingest-azure-files-schedule-rag.json": {
		"$.triggers.Recurrence.type WF1004",
		"$.actions.For_each_newly_added_or_updated_file.actions.Chunk_text.type WF1003",
		"$.actions.For_each_newly_added_or_updated_file.actions.Parse_a_document.type WF1003",
	},
	"ux-agent.json": {
		"$.actions.WorkflowAgent.type WF1003",
	},
}

// corpusBroken lists designer mocks that are incomplete definitions (Logic
// Apps would reject them too), with the codes of the errors they report.
var corpusBroken = map[string][]string{
	// IncrementVariable on var1, which nothing initializes.
	"ux-all-scope-nodes.json": {CodeUndeclaredVariable},
	// 98 IncrementVariable actions without inputs; variable t never initialized.
	"ux-multiple-run-afters-big.json": {CodeMissingField, CodeUndeclaredVariable},
	// body('Create_a_goal') of actions that do not exist, Compose without
	// inputs, testVar initialized twice.
	"ux-run-after.json": {CodeMissingField, CodeUnknownActionRef, CodeDuplicateVariable},
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.json"))
	if err != nil || len(files) < 60 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	return files
}

func TestCorpus(t *testing.T) {
	t.Parallel()
	for _, f := range corpusFiles(t) {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Decode(data)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			var errs []Problem
			for _, p := range d.Problems() {
				if p.Severity == SeverityError {
					errs = append(errs, p)
				}
			}
			if want, ok := corpusUnsupported[name]; ok {
				if got := pc(errs); !slices.Equal(got, want) {
					t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				return
			}
			if want, ok := corpusBroken[name]; ok {
				var codes []string
				for _, p := range errs {
					if !slices.Contains(codes, p.Code) {
						codes = append(codes, p.Code)
					}
				}
				slices.Sort(codes)
				slices.Sort(want)
				if !slices.Equal(codes, want) {
					t.Errorf("error codes %v, want %v", codes, want)
				}
				return
			}
			if err := d.Validate(); err != nil {
				t.Errorf("%v", err)
			}
			if len(d.Triggers) == 0 {
				t.Errorf("no triggers")
			}
			// Every list has a complete order.
			lists := []*ActionList{d.Actions}
			for _, a := range d.AllActions() {
				lists = append(lists, a.Children()...)
			}
			n := 0
			for _, l := range lists {
				if len(l.Order()) != l.Len() {
					t.Errorf("%s: order has %d of %d actions", l.Path, len(l.Order()), l.Len())
				}
				n += l.Len()
			}
			if n != len(d.AllActions()) {
				t.Errorf("lists hold %d actions, index %d", n, len(d.AllActions()))
			}
		})
	}
}
