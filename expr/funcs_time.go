// SPDX-License-Identifier: Apache-2.0

package expr

import (
	"math"
	"strings"
	"time"

	"github.com/junction-run/junction/expr/internal/dotnet"
)

func init() {
	dt := func(name string, min, max int, sig, doc string, fn impl, ex ...Example) {
		register(FuncSpec{Name: name, Category: "datetime", MinArgs: min, MaxArgs: max, Signature: sig, Doc: doc, Examples: ex}, fn)
	}
	dt("addDays", 2, 3, "addDays(timestamp, days, format?)", "Adds days to a timestamp.", addUnit(24*time.Hour),
		Example{Expr: "addDays('2018-03-15T00:00:00Z', -5)", Want: `"2018-03-10T00:00:00.0000000Z"`})
	dt("addHours", 2, 3, "addHours(timestamp, hours, format?)", "Adds hours to a timestamp.", addUnit(time.Hour),
		Example{Expr: "addHours('2018-03-15T00:00:00Z', 10)", Want: `"2018-03-15T10:00:00.0000000Z"`})
	dt("addMinutes", 2, 3, "addMinutes(timestamp, minutes, format?)", "Adds minutes to a timestamp.", addUnit(time.Minute),
		Example{Expr: "addMinutes('2018-03-15T00:10:00Z', 10)", Want: `"2018-03-15T00:20:00.0000000Z"`})
	dt("addSeconds", 2, 3, "addSeconds(timestamp, seconds, format?)", "Adds seconds to a timestamp.", addUnit(time.Second),
		Example{Expr: "addSeconds('2018-03-15T00:00:00Z', 10)", Want: `"2018-03-15T00:00:10.0000000Z"`})
	dt("addToTime", 3, 4, "addToTime(timestamp, interval, timeUnit, format?)", "Adds a number of time units (Second, Minute, Hour, Day, Week, Month, Year) to a timestamp.", fnAddToTime(1),
		Example{Expr: "addToTime('2018-01-31T00:00:00Z', 1, 'Month')", Want: `"2018-02-28T00:00:00.0000000Z"`})
	dt("subtractFromTime", 3, 4, "subtractFromTime(timestamp, interval, timeUnit, format?)", "Subtracts a number of time units from a timestamp.", fnAddToTime(-1),
		Example{Expr: "subtractFromTime('2018-01-02T00:00:00Z', 1, 'Day')", Want: `"2018-01-01T00:00:00.0000000Z"`})
	dt("convertFromUtc", 2, 3, "convertFromUtc(timestamp, destinationTimeZone, format?)", "Converts a UTC timestamp to a time zone (Windows or IANA name).", fnConvertFromUTC,
		Example{Expr: "convertFromUtc('2018-01-01T08:00:00.0000000Z', 'Pacific Standard Time')", Want: `"2018-01-01T00:00:00.0000000"`})
	dt("convertTimeZone", 3, 4, "convertTimeZone(timestamp, sourceTimeZone, destinationTimeZone, format?)", "Converts a timestamp between time zones.", fnConvertTimeZone,
		Example{Expr: "convertTimeZone('2018-01-01T08:00:00.0000000Z', 'UTC', 'Pacific Standard Time')", Want: `"2018-01-01T00:00:00.0000000"`})
	dt("convertToUtc", 2, 3, "convertToUtc(timestamp, sourceTimeZone, format?)", "Converts a timestamp in a time zone to UTC.", fnConvertToUTC,
		Example{Expr: "convertToUtc('01/01/2018 00:00:00', 'Pacific Standard Time')", Want: `"2018-01-01T08:00:00.0000000Z"`})
	dt("dateDifference", 2, 2, "dateDifference(startDate, endDate)", "Returns the difference between two timestamps as a TimeSpan string.", fnDateDifference,
		Example{Expr: "dateDifference('2015-02-08', '2018-07-30')", Want: `"1268.00:00:00"`})
	dt("dayOfMonth", 1, 1, "dayOfMonth(timestamp)", "Returns the day of the month.", dayPart(func(t time.Time) int { return t.Day() }),
		Example{Expr: "dayOfMonth('2018-03-15T13:27:36Z')", Want: "15"})
	dt("dayOfWeek", 1, 1, "dayOfWeek(timestamp)", "Returns the day of the week (Sunday is 0).", dayPart(func(t time.Time) int { return int(t.Weekday()) }),
		Example{Expr: "dayOfWeek('2018-03-15T13:27:36Z')", Want: "4"})
	dt("dayOfYear", 1, 1, "dayOfYear(timestamp)", "Returns the day of the year.", dayPart(func(t time.Time) int { return t.YearDay() }),
		Example{Expr: "dayOfYear('2018-03-15T13:27:36Z')", Want: "74"})
	dt("formatDateTime", 1, 3, "formatDateTime(timestamp, format?, locale?)", "Formats a timestamp with a .NET date and time format string.", fnFormatDateTime,
		Example{Expr: "formatDateTime('03/15/2018 12:00:00', 'yyyy-MM-ddTHH:mm:ss')", Want: `"2018-03-15T12:00:00"`})
	dt("parseDateTime", 1, 3, "parseDateTime(timestamp, locale?, format?)", "Parses a timestamp in a culture or with a format and returns it in ISO 8601 form.", fnParseDateTime,
		Example{Expr: "parseDateTime('20190521', 'fr-fr', 'yyyyMMdd')", Want: `"2019-05-21T00:00:00.0000000"`})
	dt("startOfDay", 1, 2, "startOfDay(timestamp, format?)", "Returns the start of the day.", startOf(func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	}), Example{Expr: "startOfDay('2018-03-15T13:30:30Z')", Want: `"2018-03-15T00:00:00.0000000Z"`})
	dt("startOfHour", 1, 2, "startOfHour(timestamp, format?)", "Returns the start of the hour.", startOf(func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location())
	}), Example{Expr: "startOfHour('2018-03-15T13:30:30Z')", Want: `"2018-03-15T13:00:00.0000000Z"`})
	dt("startOfMonth", 1, 2, "startOfMonth(timestamp, format?)", "Returns the start of the month.", startOf(func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	}), Example{Expr: "startOfMonth('2018-03-15T13:30:30Z', 'yyyy-MM-dd')", Want: `"2018-03-01"`})
	dt("ticks", 1, 1, "ticks(timestamp)", "Returns the number of 100-nanosecond ticks since 0001-01-01T00:00:00.", fnTicks,
		Example{Expr: "ticks('2018-01-01T00:00:00Z')", Want: "636503616000000000"})
	register(FuncSpec{Name: "utcNow", Category: "datetime", MaxArgs: 1, Impure: true, Signature: "utcNow(format?)", Doc: "Returns the current UTC time."}, fnUTCNow)
	register(FuncSpec{Name: "getFutureTime", Category: "datetime", MinArgs: 2, MaxArgs: 3, Impure: true, Signature: "getFutureTime(interval, timeUnit, format?)", Doc: "Returns the current time plus a number of time units."}, fnGetTime(1))
	register(FuncSpec{Name: "getPastTime", Category: "datetime", MinArgs: 2, MaxArgs: 3, Impure: true, Signature: "getPastTime(interval, timeUnit, format?)", Doc: "Returns the current time minus a number of time units."}, fnGetTime(-1))
	register(FuncSpec{Name: "formatTimeSpan", Category: "datetime", MinArgs: 1, MaxArgs: 2, Signature: "formatTimeSpan(timeSpan, format?)",
		Doc:      "Formats a TimeSpan (text such as '1.02:03:04', or ticks) with a .NET TimeSpan format string.",
		Examples: []Example{{Expr: "formatTimeSpan('1.02:03:04', 'c')", Want: `"1.02:03:04"`}}}, fnFormatTimeSpan)
}

// timeArg parses argument i as a timestamp. Values with an offset are
// converted to UTC, as the runtime does; values without one stay
// unspecified.
func (s *state) timeArg(args []any, i int) (time.Time, error) {
	str, ok := args[i].(string)
	if !ok {
		return time.Time{}, s.argErr(i, "a string containing a timestamp", args[i])
	}
	t, err := dotnet.ParseTime(str)
	if err != nil {
		return time.Time{}, s.errorf("The template language function '%s' expects its %s parameter to be a timestamp in ISO 8601 format. The provided value '%s' is not valid: %v.", s.fname(), ordinal(i), truncate(str, 100), err)
	}
	if loc := t.Location(); loc != time.UTC && loc != dotnet.Unspecified {
		t = t.UTC()
	}
	return t, nil
}

// formatTime formats t with the optional format argument i.
func (s *state) formatTime(t time.Time, args []any, i int) (any, error) {
	format, err := s.optStr(args, i, "o")
	if err != nil {
		return nil, err
	}
	return s.formatTimeCulture(t, format, "en-US")
}

func (s *state) formatTimeCulture(t time.Time, format, culture string) (any, error) {
	if t.Year() < 1 || t.Year() > 9999 {
		return nil, s.errorf("The template language function '%s' produced a timestamp outside the range 0001-01-01 to 9999-12-31.", s.fname())
	}
	out, err := dotnet.FormatTime(t, format, culture)
	if err != nil {
		return nil, s.errorf("The template language function '%s' could not format the timestamp with format '%s' and locale '%s': %v.", s.fname(), format, culture, err)
	}
	return out, nil
}

func addUnit(unit time.Duration) impl {
	return func(s *state, args []any) (any, error) {
		t, err := s.timeArg(args, 0)
		if err != nil {
			return nil, err
		}
		n, err := s.integer(args, 1)
		if err != nil {
			return nil, err
		}
		t, err = s.addDur(t, n, unit)
		if err != nil {
			return nil, err
		}
		return s.formatTime(t, args, 2)
	}
}

// maxSpan is about 10,000 years, more than any valid timestamp difference.
const maxSpanSeconds = 10000 * 366 * 24 * 3600

func (s *state) addDur(t time.Time, n int64, unit time.Duration) (time.Time, error) {
	secs := float64(n) * unit.Seconds()
	if secs > maxSpanSeconds || secs < -maxSpanSeconds {
		return t, s.errorf("The template language function '%s' produced a timestamp outside the range 0001-01-01 to 9999-12-31.", s.fname())
	}
	if unit >= time.Hour*24 {
		return t.AddDate(0, 0, int(n*int64(unit/(24*time.Hour)))), nil
	}
	return t.Add(time.Duration(n) * unit), nil
}

// addMonths adds months like .NET DateTime.AddMonths: the day is clamped to
// the last day of the resulting month.
func addMonths(t time.Time, n int64) time.Time {
	y, m, d := t.Date()
	total := int64(y)*12 + int64(m-1) + n
	ny, nm := int(total/12), time.Month(total%12+1)
	last := time.Date(ny, nm+1, 0, 0, 0, 0, 0, time.UTC).Day()
	d = min(d, last)
	return time.Date(ny, nm, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

func (s *state) addInterval(t time.Time, n int64, unit string) (time.Time, error) {
	switch strings.TrimSuffix(strings.ToLower(unit), "s") {
	case "second":
		return s.addDur(t, n, time.Second)
	case "minute":
		return s.addDur(t, n, time.Minute)
	case "hour":
		return s.addDur(t, n, time.Hour)
	case "day":
		return s.addDur(t, n, 24*time.Hour)
	case "week":
		return s.addDur(t, n, 7*24*time.Hour)
	case "month":
		if n > 12*10000 || n < -12*10000 {
			return t, s.errorf("The template language function '%s' produced a timestamp outside the range 0001-01-01 to 9999-12-31.", s.fname())
		}
		return addMonths(t, n), nil
	case "year":
		if n > 10000 || n < -10000 {
			return t, s.errorf("The template language function '%s' produced a timestamp outside the range 0001-01-01 to 9999-12-31.", s.fname())
		}
		return addMonths(t, n*12), nil
	}
	return t, s.errorf("The template language function '%s' expects a time unit of 'Second', 'Minute', 'Hour', 'Day', 'Week', 'Month' or 'Year'. The provided value is '%s'.", s.fname(), unit)
}

func fnAddToTime(sign int64) impl {
	return func(s *state, args []any) (any, error) {
		t, err := s.timeArg(args, 0)
		if err != nil {
			return nil, err
		}
		n, err := s.integer(args, 1)
		if err != nil {
			return nil, err
		}
		unit, err := s.str(args, 2)
		if err != nil {
			return nil, err
		}
		if t, err = s.addInterval(t, sign*n, unit); err != nil {
			return nil, err
		}
		return s.formatTime(t, args, 3)
	}
}

func fnGetTime(sign int64) impl {
	return func(s *state, args []any) (any, error) {
		n, err := s.integer(args, 0)
		if err != nil {
			return nil, err
		}
		unit, err := s.str(args, 1)
		if err != nil {
			return nil, err
		}
		t, err := s.addInterval(s.env.Now().UTC(), sign*n, unit)
		if err != nil {
			return nil, err
		}
		return s.formatTime(t, args, 2)
	}
}

func fnUTCNow(s *state, args []any) (any, error) {
	return s.formatTime(s.env.Now().UTC(), args, 0)
}

func (s *state) zoneArg(args []any, i int) (*time.Location, error) {
	name, err := s.str(args, i)
	if err != nil {
		return nil, err
	}
	loc, err := dotnet.LoadLocation(name)
	if err != nil {
		return nil, s.errorf("The template language function '%s' was invoked with a time zone '%s' that is not valid: %v.", s.fname(), name, err)
	}
	return loc, nil
}

// inZone reads the wall clock of an unspecified time as local time in loc.
func inZone(t time.Time, loc *time.Location) time.Time {
	if t.Location() == time.UTC {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

func fnConvertFromUTC(s *state, args []any) (any, error) {
	t, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	loc, err := s.zoneArg(args, 1)
	if err != nil {
		return nil, err
	}
	t = dotnet.AsUnspecified(time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC).In(loc))
	return s.formatTime(t, args, 2)
}

func fnConvertTimeZone(s *state, args []any) (any, error) {
	t, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	src, err := s.zoneArg(args, 1)
	if err != nil {
		return nil, err
	}
	dst, err := s.zoneArg(args, 2)
	if err != nil {
		return nil, err
	}
	t = dotnet.AsUnspecified(inZone(t, src).In(dst))
	return s.formatTime(t, args, 3)
}

func fnConvertToUTC(s *state, args []any) (any, error) {
	t, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	src, err := s.zoneArg(args, 1)
	if err != nil {
		return nil, err
	}
	t = inZone(t, src).UTC()
	return s.formatTime(t, args, 2)
}

func fnDateDifference(s *state, args []any) (any, error) {
	a, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	b, err := s.timeArg(args, 1)
	if err != nil {
		return nil, err
	}
	diff := ticksOf(b) - ticksOf(a)
	if diff > math.MaxInt64/100 || diff < -math.MaxInt64/100 {
		// Beyond time.Duration's ±292 years.
		return nil, s.errorf("The template language function 'dateDifference' result is too large.")
	}
	d := time.Duration(diff) * 100
	out, err := dotnet.FormatTimeSpan(d, "c")
	if err != nil {
		return nil, s.errorf("The template language function 'dateDifference' failed: %v.", err)
	}
	return out, nil
}

func dayPart(f func(time.Time) int) impl {
	return func(s *state, args []any) (any, error) {
		t, err := s.timeArg(args, 0)
		if err != nil {
			return nil, err
		}
		return int64(f(t)), nil
	}
}

func fnFormatDateTime(s *state, args []any) (any, error) {
	t, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	format, err := s.optStr(args, 1, "o")
	if err != nil {
		return nil, err
	}
	culture, err := s.optStr(args, 2, "en-US")
	if err != nil {
		return nil, err
	}
	return s.formatTimeCulture(t, format, culture)
}

func fnParseDateTime(s *state, args []any) (any, error) {
	str, err := s.str(args, 0)
	if err != nil {
		return nil, err
	}
	culture, err := s.optStr(args, 1, "en-US")
	if err != nil {
		return nil, err
	}
	format, err := s.optStr(args, 2, "")
	if err != nil {
		return nil, err
	}
	t, err := dotnet.ParseTimeExact(str, format, culture)
	if err != nil {
		return nil, s.errorf("The template language function 'parseDateTime' could not parse '%s' with locale '%s' and format '%s': %v.", truncate(str, 100), culture, format, err)
	}
	if loc := t.Location(); loc != time.UTC && loc != dotnet.Unspecified {
		t = t.UTC()
	}
	return s.formatTimeCulture(t, "o", "en-US")
}

func startOf(f func(time.Time) time.Time) impl {
	return func(s *state, args []any) (any, error) {
		t, err := s.timeArg(args, 0)
		if err != nil {
			return nil, err
		}
		return s.formatTime(f(t), args, 1)
	}
}

// ticksOf returns .NET ticks (100 ns since 0001-01-01) of t's wall clock
// for unspecified times and of the UTC instant otherwise.
func ticksOf(t time.Time) int64 {
	const unixToTicks = 621355968000000000
	if t.Location() != time.UTC {
		_, off := t.Zone()
		t = t.Add(time.Duration(off) * time.Second)
	}
	return t.Unix()*10000000 + int64(t.Nanosecond())/100 + unixToTicks
}

func fnTicks(s *state, args []any) (any, error) {
	t, err := s.timeArg(args, 0)
	if err != nil {
		return nil, err
	}
	return ticksOf(t), nil
}

func fnFormatTimeSpan(s *state, args []any) (any, error) {
	var d time.Duration
	switch v := args[0].(type) {
	case string:
		var err error
		d, err = dotnet.ParseTimeSpan(v)
		if err != nil {
			return nil, s.errorf("The template language function 'formatTimeSpan' expects its first parameter to be a time span such as '1.02:03:04'. The provided value '%s' is not valid: %v.", truncate(v, 100), err)
		}
	case int64:
		if v > 1<<62/100 || v < -(1<<62/100) {
			return nil, s.errorf("The template language function 'formatTimeSpan' time span is too large.")
		}
		d = time.Duration(v) * 100
	default:
		return nil, s.argErr(0, "a string or an integer number of ticks", args[0])
	}
	format, err := s.optStr(args, 1, "c")
	if err != nil {
		return nil, err
	}
	out, err := dotnet.FormatTimeSpan(d, format)
	if err != nil {
		return nil, s.errorf("The template language function 'formatTimeSpan' could not format with format '%s': %v.", format, err)
	}
	return out, nil
}
