// SPDX-License-Identifier: Apache-2.0

package recurrence

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/junction-run/junction/expr/value"
	"github.com/junction-run/junction/workflow"
)

// Recurrence is the recurrence block of a trigger as the definition writes it.
// Its fields are not validated until [Compile].
type Recurrence struct {
	// Frequency is Second, Minute, Hour, Day, Week or Month (case-insensitive).
	Frequency string `json:"frequency"`
	// Interval is the number of frequency units between periods (at least 1).
	Interval int `json:"interval"`
	// StartTime is an ISO 8601 date-time. Without an offset it is local time
	// in TimeZone (UTC when there is none); with "Z" or an offset it is an
	// absolute instant. Empty means "from the anchor".
	StartTime string `json:"startTime,omitempty"`
	// EndTime, in the same format, is the last instant an occurrence may
	// fall on. Empty means no end.
	EndTime string `json:"endTime,omitempty"`
	// TimeZone is a Windows time-zone ID ("Pacific Standard Time") or an IANA
	// name ("America/Los_Angeles"). Empty means UTC.
	TimeZone string `json:"timeZone,omitempty"`
	// Schedule selects times inside each period (Day, Week and Month only).
	Schedule *Schedule `json:"schedule,omitempty"`
}

// Schedule is the advanced schedule of a recurrence. Empty lists mean "not
// specified".
type Schedule struct {
	// Hours are hours of the day, 0-23.
	Hours []int `json:"hours,omitempty"`
	// Minutes are minutes of the hour, 0-59.
	Minutes []int `json:"minutes,omitempty"`
	// WeekDays are day names, "Monday" to "Sunday" (case-insensitive); Week
	// only.
	WeekDays []string `json:"weekDays,omitempty"`
	// MonthDays are days of the month, 1-31, or -1 (last day) to -31 counted
	// from the end of the month; Month only.
	MonthDays []int `json:"monthDays,omitempty"`
}

// FieldError is a problem with one field of a recurrence. Field is a path
// rooted at "recurrence", such as "recurrence.schedule.hours[2]"; callers
// that know where the block sits may rewrite the prefix.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

const root = "recurrence"

// FromWorkflow converts the definition model's recurrence (package workflow)
// to a Recurrence. The workflow model has no endTime, so EndTime stays empty.
// A nil r gives the zero Recurrence, which Compile rejects.
func FromWorkflow(r *workflow.Recurrence) Recurrence {
	if r == nil {
		return Recurrence{}
	}
	out := Recurrence{
		Frequency: r.Frequency,
		Interval:  clampInt(r.Interval),
		StartTime: r.StartTime,
		TimeZone:  r.TimeZone,
	}
	if s := r.Schedule; s != nil {
		out.Schedule = &Schedule{
			Hours:     clampInts(s.Hours),
			Minutes:   clampInts(s.Minutes),
			WeekDays:  append([]string(nil), s.WeekDays...),
			MonthDays: clampInts(s.MonthDays),
		}
	}
	return out
}

// clampInt keeps out-of-range int64 values out of range after the conversion
// (so validation still rejects them) instead of letting them wrap.
func clampInt(v int64) int {
	switch {
	case v > math.MaxInt32:
		return math.MaxInt32
	case v < math.MinInt32:
		return math.MinInt32
	}
	return int(v)
}

func clampInts(vs []int64) []int {
	if vs == nil {
		return nil
	}
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = clampInt(v)
	}
	return out
}

// Decode reads a recurrence block from the value model (a *value.Object, or
// a map that [value.FromGo] converts). Property names match
// case-insensitively, as Logic Apps matches them. It is lenient where Logic
// Apps is: integers may be int64, integral float64 or numeric strings, a
// single number or day name stands for a one-element list, and null means
// absent. Unknown properties, wrong types and non-integral numbers are
// errors naming the field. Decode checks shapes only; [Compile] checks
// values.
func Decode(v any) (Recurrence, error) {
	var r Recurrence
	o, ok := value.FromGo(v).(*value.Object)
	if !ok || o == nil {
		return r, &FieldError{root, "must be an object, not " + typeName(v)}
	}
	d := decoder{}
	for _, k := range o.Keys() {
		fv, _ := o.Get(k)
		if fv == nil {
			continue
		}
		path := root + "." + k
		switch strings.ToLower(k) {
		case "frequency":
			r.Frequency = d.str(fv, path)
		case "interval":
			r.Interval = d.int(fv, path)
		case "starttime":
			r.StartTime = d.str(fv, path)
		case "endtime":
			r.EndTime = d.str(fv, path)
		case "timezone":
			r.TimeZone = d.str(fv, path)
		case "schedule":
			r.Schedule = d.schedule(fv, path)
		default:
			d.fail(path, "unknown property")
		}
	}
	return r, d.err()
}

type decoder struct{ errs errorList }

func (d *decoder) fail(path, format string, args ...any) {
	d.errs.add(path, format, args...)
}

func (d *decoder) err() error { return d.errs.err() }

func (d *decoder) str(v any, path string) string {
	s, ok := v.(string)
	if !ok {
		d.fail(path, "must be a string, not %s", typeName(v))
	}
	return s
}

func (d *decoder) int(v any, path string) int {
	n, err := toInt(v)
	if err != nil {
		d.fail(path, "%s", err.Error())
	}
	return n
}

func (d *decoder) schedule(v any, path string) *Schedule {
	o, ok := v.(*value.Object)
	if !ok {
		d.fail(path, "must be an object, not %s", typeName(v))
		return nil
	}
	s := &Schedule{}
	for _, k := range o.Keys() {
		fv, _ := o.Get(k)
		if fv == nil {
			continue
		}
		p := path + "." + k
		switch strings.ToLower(k) {
		case "hours":
			s.Hours = d.ints(fv, p)
		case "minutes":
			s.Minutes = d.ints(fv, p)
		case "monthdays":
			s.MonthDays = d.ints(fv, p)
		case "weekdays":
			for i, e := range list(fv) {
				s.WeekDays = append(s.WeekDays, d.str(e, elem(p, fv, i)))
			}
		case "monthlyoccurrences":
			d.fail(p, "is not supported (use monthDays)")
		default:
			d.fail(p, "unknown property")
		}
	}
	return s
}

func (d *decoder) ints(v any, path string) []int {
	var out []int
	for i, e := range list(v) {
		out = append(out, d.int(e, elem(path, v, i)))
	}
	return out
}

// list returns the elements of an array, or v itself as a one-element list.
func list(v any) []any {
	if a, ok := v.([]any); ok {
		return a
	}
	return []any{v}
}

func elem(path string, v any, i int) string {
	if _, ok := v.([]any); ok {
		return fmt.Sprintf("%s[%d]", path, i)
	}
	return path
}

// toInt converts a value-model number, or a string holding one, to int.
func toInt(v any) (int, error) {
	var f float64
	switch t := v.(type) {
	case int64:
		return clampInt(t), nil
	case float64:
		f = t
	case value.Decimal:
		return toInt(t.Text)
	case string:
		s := strings.TrimSpace(t)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return clampInt(i), nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not an integer", t)
		}
		f = x
	default:
		return 0, fmt.Errorf("must be an integer, not %s", typeName(v))
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%v is not an integer", v)
	}
	if f > math.MaxInt32 {
		return math.MaxInt32, nil
	}
	if f < math.MinInt32 {
		return math.MinInt32, nil
	}
	return int(f), nil
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case int64, float64, value.Decimal:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case *value.Object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// errorList collects field errors in the order they are found.
type errorList []*FieldError

func (l *errorList) add(field, format string, args ...any) {
	*l = append(*l, &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// err returns nil, the single error, or an [Errors] holding all of them.
func (l errorList) err() error {
	switch len(l) {
	case 0:
		return nil
	case 1:
		return l[0]
	}
	return Errors(l)
}

// Errors is several field errors, one per line when printed. Use
// errors.As with *FieldError to get the first, or range over it.
type Errors []*FieldError

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap returns the individual errors.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
